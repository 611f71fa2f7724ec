package dln.train;

import dln.net.Training;
import dln.runtime.Model;
import dln.runtime.data.DataError;
import dln.runtime.data.Dataset;
import dln.runtime.data.Values;
import dln.runtime.io.Safetensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Timer;
import java.util.TimerTask;

/**
 * Runs a train block on a model: epochs of shuffled, augmented batches, the learning-rate
 * schedule, validation, the best epoch, early stopping and checkpoints. The order of the examples
 * in epoch {@code e} and the augmentation of batch {@code b} depend only on (seed, e, b), and the
 * checkpoint holds every other piece of state, so a resumed run continues exactly as the
 * uninterrupted one would have (bit for bit on the JVM backend).
 *
 * <p>A run whose loss becomes NaN or infinite stops with a {@link DataError} that names the epoch
 * and the step, read from the loss totals the host fetches anyway (once an epoch, or every 1% of
 * the steps with a progress bar): they count the steps after which the loss sum was still finite,
 * so the first bad step is exact without a wait per step. Nothing is saved from such an epoch, and
 * weights that are not finite are never written over the last checkpoint.
 */
public final class Trainer {

    /** The train block's settings with the command line's overrides; {@code batch} 0 is the full batch. */
    public record Settings(long epochs, long batch, long seed, boolean shuffle, List<Training.Call> augment, Training.Call schedule,
                           Training.EarlyStop earlyStop, List<String> metrics, Path checkpoint, boolean resume) {

        /** The metrics to report besides the loss: the train block's, and accuracy for classifiers. */
        public static List<String> metrics(Training t, Model.Info info) {
            List<String> out = new ArrayList<>();
            if (info.labels() || t.metrics().contains("accuracy")) out.add("accuracy");
            for (String m : t.metrics()) if (!m.equals("loss") && !out.contains(m)) out.add(m);
            return out;
        }
    }

    /** One epoch's row of the log: the loss and metrics ({@code val_} ones on the validation data), the rate, the time. */
    public record Epoch(long epoch, long epochs, Map<String, Double> values, double lr, double seconds, boolean best) {}

    /** How training ended: the log, the best epoch by {@code monitor}, and whether it stopped early and the best weights were restored. */
    public record Result(List<Epoch> log, String monitor, long bestEpoch, double best, boolean stoppedEarly, boolean restored,
                         long startEpoch) {}

    /** What the console shows; every method has a do-nothing default. */
    public interface Listener {
        /** Whether to read the running loss while the epoch runs (a host wait every few steps). */
        default boolean live() { return false; }

        default void epochStarted(long epoch, long epochs, int steps, int examples) {}

        /** After step {@code step} of {@code steps}; {@code loss} is the running mean, NaN unless live. */
        default void progress(int step, int steps, long examples, double loss) {}

        /** After the epoch's checkpoint; {@code last}: no epoch follows (the last one, or early stopping ends the run). */
        default void epochEnded(Epoch epoch, boolean last) {}

        /**
         * The run's first step has taken {@code seconds} and is not done (from another thread): an
         * OpenCL driver compiles each kernel the first time it runs, which takes a minute for a large
         * model on PoCL with a cold cache.
         */
        default void slowFirstStep(double seconds) {}
    }

    /**
     * Runs an epoch's steps on workers other than this process's model (dln.spark's executors),
     * each on its share of every batch, so that the model ends as {@link #fit} would have left it.
     */
    public interface Workers {
        /**
         * Trains epoch {@code epoch} (from 0) from the model's weights, optimizer state, step count
         * and learning rate, on the batches of {@code batch} examples that {@link #order} gives;
         * leaves the model with the weights, optimizer state and step count after it, and returns
         * the epoch's loss totals, as {@link Model#takeMetrics} would have.
         */
        Model.Metrics epoch(Model model, long epoch, int batch);
    }

    private final Model model;
    private final Settings settings;
    private final Listener listener;
    private final List<String> metrics;
    private final LearningRates learningRates;
    private final Monitor monitor;
    private final Checkpoint checkpoint;
    private final List<Epoch> log = new ArrayList<>();
    private Map<String, Safetensors.Tensor> best;
    private double checkpointSeconds = 1;
    private long slowFirstStepMillis = 5000;
    private boolean firstStepDone;
    private long bestSaved = -1;
    /** The epochs that the checkpoint on disk holds: -1 before this run has written or resumed one. */
    private long onDisk = -1;
    private long lastSave;
    private boolean saved;
    /** For a shutdown hook (Ctrl-C): the epoch under way, counted from 0; -1 before the first. */
    private volatile long running = -1;
    private Workers workers;

    public Trainer(Model model, Settings settings, Listener listener, boolean validation) {
        this.model = model;
        this.settings = settings;
        this.listener = listener;
        this.metrics = settings.metrics();
        this.learningRates = new LearningRates(settings.schedule(), model.info().learningRate(), settings.epochs());
        Training.EarlyStop stop = settings.earlyStop();
        this.monitor = stop != null ? new Monitor(stop.monitor(), stop.minDelta(), stop.patience())
                : new Monitor(validation ? "val_loss" : "loss", 0, -1);
        this.checkpoint = settings.checkpoint() == null ? null : new Checkpoint(settings.checkpoint());
    }

    /**
     * Writes a checkpoint after an epoch only when this many seconds have passed since the last one
     * (and always after the last epoch), so that runs of many tiny epochs do not spend their time
     * forcing files to the disk. 0 writes one after every epoch.
     */
    public Trainer checkpointEvery(double seconds) {
        this.checkpointSeconds = seconds;
        return this;
    }

    /** Runs each epoch's steps on these workers instead of on the model (whose weights they start from and leave). */
    public Trainer distributed(Workers workers) {
        this.workers = workers;
        return this;
    }

    /** The order of the training examples in epoch {@code epoch}: shuffled by the seed and the epoch, or as they are. */
    public static int[] order(Settings settings, long epoch, int n) {
        return settings.shuffle() ? Shuffle.permutation(n, Shuffle.random(settings.seed(), "epoch", epoch)) : Shuffle.identity(n);
    }

    /** When the first step has run this long, {@link Listener#slowFirstStep} says so (5 s unless set). */
    public Trainer slowFirstStepAfter(long millis) {
        this.slowFirstStepMillis = millis;
        return this;
    }

    /** One training step; the run's first is watched (and waited for, once) so that a slow start is explained while it lasts. */
    private void step(int m, float[] y, float[][] inputs) {
        step(() -> model.trainStep(m, y, inputs));
    }

    private void step(Runnable trainStep) {
        if (firstStepDone) {
            trainStep.run();
            return;
        }
        Timer watch = new Timer("dlnc-first-step", true);
        watch.schedule(new TimerTask() {
            @Override public void run() { listener.slowFirstStep(slowFirstStepMillis / 1000.0); }
        }, slowFirstStepMillis);
        try {
            trainStep.run();
            model.backend().finish();
        } finally {
            watch.cancel();
            firstStepDone = true;
        }
    }

    /** Trains on {@code data.train()}, validating on {@code data.validation()} (may be null). The model starts as it is. */
    public Result fit(Splits data) throws IOException {
        Dataset train = data.train();
        long start = 0;
        boolean stopped = false;
        if (settings.resume()) {
            Map<String, String> state = restore();
            start = Long.parseLong(state.get("epoch"));
            stopped = Boolean.parseBoolean(state.get("stopped"));
            onDisk = start;
        }
        int batch = settings.batch() == Training.ALL ? train.count() : (int) Math.min(settings.batch(), train.count());
        Augmenter augmenter = new Augmenter(settings.augment(), train.inputShape());
        long epoch = start;
        for (; epoch < settings.epochs() && !stopped; epoch++) {
            running = epoch;
            Epoch row = runEpoch(epoch, train, data.validation(), batch, augmenter);
            stopped = settings.earlyStop() != null && monitor.stop();
            boolean last = stopped || epoch + 1 == settings.epochs();
            if (last || !saved || System.nanoTime() - lastSave >= checkpointSeconds * 1e9) {
                requireFiniteWeights(epoch);
                save(epoch + 1, stopped);
                lastSave = System.nanoTime();
                saved = true;
            }
            listener.epochEnded(row, last);
        }
        boolean restored = false;
        if (settings.earlyStop() != null && best != null && monitor.bestEpoch() != epoch - 1) {
            model.setWeights(best, "the best epoch's weights");
            restored = true;
        }
        return new Result(List.copyOf(log), monitor.name(), monitor.bestEpoch(), monitor.best(), stopped, restored, start);
    }

    /** The epoch under way, counted from 0; -1 before the first. Safe to read from another thread. */
    public long running() { return running; }

    private Epoch runEpoch(long epoch, Dataset train, Dataset validation, int batch, Augmenter augmenter) {
        long started = System.nanoTime();
        double lr = learningRates.rate(epoch);
        model.setLearningRate(lr);
        int n = train.count();
        int steps = (n + batch - 1) / batch;
        Running running = new Running();
        if (workers != null) {
            listener.epochStarted(epoch, settings.epochs(), steps, n);
            running.add(requireFiniteLoss(workers.epoch(model, epoch, batch), epoch, 0, steps));
            listener.progress(steps, steps, n, running.loss());
        } else {
            runSteps(epoch, train, batch, augmenter, steps, running);
        }
        int per = (int) train.inputSize(), width = (int) train.targetWidth();
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", running.loss());
        if (metrics.contains("accuracy")) values.put("accuracy", running.accuracy());
        if (metrics.contains("mae") || metrics.contains("mse")) {
            Evaluation e = Evaluation.of(model, train, metrics.stream().filter(m -> !m.equals("accuracy")).toList(), false);
            for (String m : List.of("mae", "mse")) if (metrics.contains(m)) values.put(m, e.values().get(m));
        }
        if (validation != null) {
            Evaluation.of(model, validation, metrics, false).values().forEach((k, v) -> values.put("val_" + k, v));
            if (!Double.isFinite(values.get("val_loss"))) {
                throw diverged(epoch, -1, 0, "the loss of every step was finite, but the validation loss after it is "
                        + words(values.get("val_loss")) + ": its update made the weights NaN or infinite");
            }
        }
        learningRates.observe(values.getOrDefault(validation != null ? "val_loss" : "loss", Double.NaN));
        boolean improved = monitor.update(epoch, values.getOrDefault(monitor.name(), Double.NaN));
        if (improved) best = model.weights();
        Epoch row = new Epoch(epoch, settings.epochs(), values, lr, (System.nanoTime() - started) / 1e9, improved);
        log.add(row);
        return row;
    }

    /** The epoch's steps on this process's model, adding their loss totals to {@code running}. */
    private void runSteps(long epoch, Dataset train, int batch, Augmenter augmenter, int steps, Running running) {
        int n = train.count();
        int[] order = order(settings, epoch, n);
        int per = (int) train.inputSize(), width = (int) train.targetWidth();
        // bytes (an IDX file's pixels) go to the device as bytes, converted there, unless augmented (on floats)
        Values stored = train.values() instanceof Values.Picked p ? p.base() : train.values();
        int[] rows = train.values() instanceof Values.Picked p ? p.rows() : null;
        Values.Bytes bytes = stored instanceof Values.Bytes b && augmenter.isEmpty() && model.info().inputs().size() == 1 ? b : null;
        float[] x = bytes != null ? null : new float[batch * per], y = new float[batch * width];
        byte[] xb = bytes != null ? new byte[batch * per] : null;
        List<long[]> shapes = model.info().inputShapes();
        int every = Math.max(1, steps / 100);
        model.takeMetrics();
        int read = 0;   // the steps whose loss totals have been read
        listener.epochStarted(epoch, settings.epochs(), steps, n);
        for (int b = 0; b < steps; b++) {
            int from = b * batch, m = Math.min(batch, n - from);
            if (bytes != null) {
                batchBytes(train, bytes, rows, order, from, m, xb, y);
                step(() -> model.trainStep(m, y, xb, bytes.table()));
            } else {
                batch(train, order, from, m, x, y);
                if (!augmenter.isEmpty()) augmenter.apply(x, m, augmentation(settings, epoch, b));
                step(m, y, Inputs.unpack(x, m, shapes));
            }
            if (listener.live() && ((b + 1) % every == 0 || b == steps - 1)) {
                running.add(requireFiniteLoss(model.takeMetrics(), epoch, read, steps));
                read = b + 1;
            }
            listener.progress(b + 1, steps, (long) from + m, running.loss());
        }
        running.add(requireFiniteLoss(model.takeMetrics(), epoch, read, steps));
    }

    /** Examples {@code order[from]} to {@code order[from + m - 1]} of {@code data}: their inputs into {@code x}, their targets into {@code y}. */
    public static void batch(Dataset data, int[] order, int from, int m, float[] x, float[] y) {
        int per = (int) data.inputSize(), width = (int) data.targetWidth();
        for (int k = 0; k < m; k++) {
            int i = order[from + k];
            data.copyInputs(i, x, k * per);
            System.arraycopy(data.targets(), i * width, y, k * width, width);
        }
    }

    /**
     * As {@link #batch}, the inputs kept as the bytes {@code values} holds them in: example i's at row
     * {@code rows[i]} of them when the data's values are {@link Values.Picked} from them, else at row i.
     */
    static void batchBytes(Dataset data, Values.Bytes values, int[] rows, int[] order, int from, int m, byte[] x, float[] y) {
        int per = (int) data.inputSize(), width = (int) data.targetWidth();
        for (int k = 0; k < m; k++) {
            int i = order[from + k];
            System.arraycopy(values.data(), (rows == null ? i : rows[i]) * per, x, k * per, per);
            System.arraycopy(data.targets(), i * width, y, k * width, width);
        }
    }

    /** The random draws that augment batch {@code b} of epoch {@code epoch}. */
    public static java.util.SplittableRandom augmentation(Settings settings, long epoch, int b) {
        return Shuffle.random(settings.seed(), "augment", epoch, b);
    }

    // ---- divergence

    /**
     * {@code m}, read after step {@code read} of the epoch's {@code steps}, when its loss is finite;
     * otherwise the run stops, naming the first step whose loss was not ({@link Model.Metrics#finiteBatches}).
     */
    private Model.Metrics requireFiniteLoss(Model.Metrics m, long epoch, int read, int steps) {
        if (m.examples() > 0 && !Double.isFinite(m.loss())) {
            // An infinite sum had no NaN added; a NaN one may have started with an infinite batch.
            throw diverged(epoch, read + m.finiteBatches(), steps, "the loss of that step's batch is "
                    + (Double.isInfinite(m.loss()) ? "infinite" : "NaN or infinite"));
        }
        return m;
    }

    /**
     * Before weights are saved (or the run ends): the losses were finite, but the last step's update,
     * which no loss has seen yet, may have made the weights NaN or infinite; they must not replace the
     * last good checkpoint.
     */
    private void requireFiniteWeights(long epoch) {
        for (var e : model.weights().entrySet()) {
            for (float v : e.getValue().data()) {
                if (!Float.isFinite(v)) {
                    throw diverged(epoch, -1, 0, "the loss of every step was finite, but the update of the last one made weight `"
                            + e.getKey() + "` " + words(v));
                }
            }
        }
    }

    /** NaN or infinite, in words. */
    private static String words(double v) {
        return Double.isNaN(v) ? "NaN" : "infinite";
    }

    /**
     * The error that ends a diverged run: where ({@code step} of {@code steps}, from 0, or -1 for
     * the epoch's last step), what, what the checkpoint holds, and what to try.
     */
    private DataError diverged(long epoch, long step, int steps, String what) {
        String where = "epoch " + (epoch + 1) + "/" + settings.epochs() + (step < 0 ? ", its last step" : ", step " + (step + 1) + " of " + steps);
        return new DataError("training diverged in " + where + ": " + what + "; " + kept() + ". Try a lower learning rate (it is "
                + Training.Call.format(model.learningRate()) + " in this epoch), and check that the data is scaled: inputs of order 1 train best"
                + " (`scale: 1/255` for pixels, standardized features), and a few extreme values are enough to blow a step up");
    }

    /** What the checkpoint folder holds after a diverged epoch, which saved nothing. */
    private String kept() {
        if (checkpoint == null) return "nothing was saved (no checkpoint folder)";
        if (onDisk < 0) return "no checkpoint was written before it, so " + checkpoint.folder() + " holds none of this run";
        return checkpoint.folder() + " still holds the checkpoint after epoch " + onDisk + ", untouched";
    }

    private void save(long epochsDone, boolean stopped) throws IOException {
        if (checkpoint == null) return;
        Map<String, String> state = new LinkedHashMap<>();
        state.put("epoch", Long.toString(epochsDone));
        state.put("stopped", Boolean.toString(stopped));
        state.put("seed", Long.toString(settings.seed()));
        state.put("lr", Double.toString(model.learningRate()));
        state.putAll(learningRates.state());
        state.putAll(monitor.state());
        state.put("log", encode(log));
        checkpoint.save(model, best, bestSaved != monitor.bestEpoch(), state, csv(log), Curves.svg(model.info().name(), log));
        bestSaved = monitor.bestEpoch();
        onDisk = epochsDone;
    }

    private Map<String, String> restore() throws IOException {
        if (checkpoint == null) throw new DataError("--resume needs a checkpoint folder: `checkpoint` in the train block, or --checkpoint");
        Checkpoint.State state = checkpoint.restore(model);
        Map<String, String> m = state.metadata();
        if (Long.parseLong(m.get("seed")) != settings.seed()) {
            throw new DataError(checkpoint.file(Checkpoint.STATE) + ": this run was trained with seed " + m.get("seed")
                    + ", not " + settings.seed() + "; resume it with the same seed");
        }
        learningRates.restore(m);
        monitor.restore(m);
        best = state.best();
        bestSaved = monitor.bestEpoch();
        log.addAll(decode(m.get("log")));
        return m;
    }

    // ---- the log

    /** The log as CSV: epoch (from 1), the loss and metrics, the validation ones, lr, seconds. */
    public static String csv(List<Epoch> log) {
        StringBuilder out = new StringBuilder();
        if (log.isEmpty()) return "";
        out.append("epoch,").append(String.join(",", log.get(0).values().keySet())).append(",lr,seconds\n");
        for (Epoch e : log) {
            out.append(e.epoch() + 1);
            for (double v : e.values().values()) out.append(',').append(number(v));
            out.append(',').append(number(e.lr())).append(',').append(String.format(Locale.ROOT, "%.3f", e.seconds())).append('\n');
        }
        return out.toString();
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    /** The log exactly, for the checkpoint: one line per epoch, {@code epoch;epochs;lr;seconds;best;key=value,...}. */
    private static String encode(List<Epoch> log) {
        StringBuilder out = new StringBuilder();
        for (Epoch e : log) {
            out.append(e.epoch()).append(';').append(e.epochs()).append(';').append(e.lr()).append(';').append(e.seconds())
                    .append(';').append(e.best()).append(';');
            List<String> pairs = new ArrayList<>();
            e.values().forEach((k, v) -> pairs.add(k + "=" + v));
            out.append(String.join(",", pairs)).append('\n');
        }
        return out.toString();
    }

    private static List<Epoch> decode(String text) {
        List<Epoch> out = new ArrayList<>();
        if (text == null) return out;
        for (String line : text.split("\n")) {
            if (line.isEmpty()) continue;
            String[] f = line.split(";", -1);
            Map<String, Double> values = new LinkedHashMap<>();
            for (String pair : f[5].split(",")) {
                int eq = pair.indexOf('=');
                values.put(pair.substring(0, eq), Double.parseDouble(pair.substring(eq + 1)));
            }
            out.add(new Epoch(Long.parseLong(f[0]), Long.parseLong(f[1]), values, Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                    Boolean.parseBoolean(f[4])));
        }
        return out;
    }

    /** The mean loss and accuracy over the metrics read so far in an epoch. */
    private static final class Running {
        double loss, correct;
        long examples;

        void add(Model.Metrics m) {
            if (m.examples() == 0) return;
            loss += m.loss() * m.examples();
            correct += m.accuracy() * m.examples();
            examples += m.examples();
        }

        double loss() { return examples == 0 ? Double.NaN : loss / examples; }

        double accuracy() { return examples == 0 ? Double.NaN : correct / examples; }
    }
}
