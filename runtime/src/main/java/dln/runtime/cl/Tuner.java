package dln.runtime.cl;

import dln.runtime.Buffer;
import dln.runtime.kernel.Choice;
import dln.runtime.kernel.Kernel;
import dln.runtime.kernel.Program;
import dln.runtime.kernel.Tunable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Chooses the block sizes of a model's tunable kernels on one device, as CLBlast's tuner does: each
 * candidate of each kernel shape is built (all of a shape's in one program, as build options on the
 * kernel's own source) and timed at its real sizes, once; the fastest is kept in the backend's
 * {@link TuningCache} under the device and the shape, which later runs build with.
 *
 * <p>Machines are noisy (a shared one here varies by 15 to 30% minutes apart), so the timing is
 * robust rather than quick: a warm-up, then {@value #ROUNDS} rounds in which every candidate runs
 * in turn (the order rotating), each sample long enough (about {@value #SAMPLE_MS} ms of launches) to
 * dwarf the clock and the queue, and the median of each candidate's samples. The defaults stay unless
 * a candidate's median beats theirs by more than {@value #MARGIN}: a smaller gain is as likely noise.
 */
public final class Tuner {
    public static final int ROUNDS = 15;
    static final double SAMPLE_MS = 4;
    public static final double MARGIN = 0.10;

    /** A candidate and its median time a launch. */
    public record Trial(Choice choice, double ms) {}

    /** A kernel shape's trials, the defaults first, and the choice kept. */
    public record Outcome(String kernel, String shape, int batch, List<Trial> trials, Choice chosen) {
        Trial defaults() { return trials.get(0); }

        Trial best() { return trials.stream().min((a, b) -> Double.compare(a.ms(), b.ms())).orElseThrow(); }

        double ms(Choice c) { return trials.stream().filter(t -> t.choice().equals(c)).findFirst().orElseThrow().ms(); }

        /** What was tried and what won, for people. */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add("%s (batch %d): %s".formatted(kernel, batch, shape));
            for (Trial t : trials) {
                lines.add(String.format(Locale.ROOT, "  %-26s %9.4f ms%s", t.choice(), t.ms(), t == defaults() ? "  (default)" : ""));
            }
            double gain = 1 - best().ms() / defaults().ms();
            if (!chosen.equals(defaults().choice())) {
                lines.add(String.format(Locale.ROOT, "  chosen: %s, %.0f%% faster than the default", chosen, 100 * gain));
            } else if (best() == defaults()) {
                lines.add("  chosen: the default, the fastest");
            } else {
                lines.add(String.format(Locale.ROOT, "  chosen: the default (%s was %.0f%% faster, within the %.0f%% a change needs)",
                        best().choice(), 100 * gain, 100 * MARGIN));
            }
            return lines;
        }
    }

    private final ClBackend backend;

    public Tuner(ClBackend backend) { this.backend = backend; }

    /**
     * Tunes each shape among the tunable {@code kernels} (that have more than one candidate) at {@code batch}, records the choices in the
     * backend's cache (which its kernels build with from then on) and saves the cache.
     */
    public List<Outcome> tune(List<Kernel> kernels, int batch) throws IOException {
        Map<String, Tunable> shapes = new LinkedHashMap<>();
        for (Kernel k : kernels) if (k instanceof Tunable t && t.candidates().size() > 1) shapes.putIfAbsent(t.shape(), t);
        List<Outcome> outcomes = new ArrayList<>();
        for (Tunable t : shapes.values()) {
            Outcome o = tune(t, batch);
            outcomes.add(o);
            backend.tuning().put(backend.device().key(), t.shape(), new TuningCache.Entry(o.chosen(), batch, o.defaults().ms(), o.ms(o.chosen())));
        }
        if (!outcomes.isEmpty()) backend.tuning().save();
        return outcomes;
    }

    private Outcome tune(Tunable t, int batch) {
        List<Choice> candidates = t.candidates();
        List<Tunable> tries = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            Tunable k = t.named(t.name() + "_try" + i);
            backend.choose(k, candidates.get(i));
            tries.add(k);
        }
        backend.compile(() -> Program.source("tuning " + t.name(), tries), List.copyOf(tries));
        Buffer[] bufs = buffers(t.sizes(batch));
        int[] reps = new int[tries.size()];
        for (int i = 0; i < tries.size(); i++) {
            time(tries.get(i), batch, bufs, 3);           // the first launch builds the work-group function
            reps[i] = (int) Math.max(1, Math.min(10_000, Math.ceil(SAMPLE_MS / time(tries.get(i), batch, bufs, 3))));
        }
        double[][] samples = new double[tries.size()][ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            for (int j = 0; j < tries.size(); j++) {
                int i = (j + r) % tries.size();
                samples[i][r] = time(tries.get(i), batch, bufs, reps[i]);
            }
        }
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < tries.size(); i++) trials.add(new Trial(candidates.get(i), median(samples[i])));
        return new Outcome(t.name(), t.shape(), batch, trials, decide(trials));
    }

    /** The fastest of the trials when it beats the first (the defaults) by more than the margin; else the defaults. */
    static Choice decide(List<Trial> trials) {
        Trial defaults = trials.get(0), best = defaults;
        for (Trial t : trials) if (t.ms() < best.ms()) best = t;
        return best.ms() < (1 - MARGIN) * defaults.ms() ? best.choice() : defaults.choice();
    }

    private Buffer[] buffers(long[] sizes) {
        Random r = new Random(1);
        Buffer[] bufs = new Buffer[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            float[] values = new float[Math.toIntExact(sizes[i])];
            for (int j = 0; j < values.length; j++) values[j] = r.nextFloat() * 2 - 1;
            bufs[i] = backend.allocate(values.length);
            backend.write(bufs[i], values);
        }
        return bufs;
    }

    /** Milliseconds a launch, over {@code reps} launches and the wait for them. */
    private double time(Kernel k, int batch, Buffer[] bufs, int reps) {
        backend.finish();
        long start = System.nanoTime();
        for (int i = 0; i < reps; i++) backend.launch(k, batch, 0, bufs);
        backend.finish();
        return (System.nanoTime() - start) / 1e6 / reps;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
