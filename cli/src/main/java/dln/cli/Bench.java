package dln.cli;

import dln.kernel.ConvForward;
import dln.kernel.ConvGeom;
import dln.kernel.Dim;
import dln.kernel.Gemm;
import dln.net.Training;
import dln.runtime.Backend;
import dln.runtime.Buffer;
import dln.runtime.Model;
import dln.runtime.cl.ClBackend;
import dln.runtime.cl.Tuner;
import dln.runtime.data.DataError;
import dln.runtime.data.Dataset;
import dln.runtime.data.Values;
import dln.runtime.device.BackendChoices;
import dln.runtime.device.Backends;
import dln.runtime.io.DataException;
import dln.runtime.kernel.Kernel;
import dln.train.Splits;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `dlnc bench`: how fast a model trains and predicts on a device, and how fast that device's
 * matrix-product and convolution kernels are. A command that prints figures, not a test.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training and prediction speed of a model, and the GFLOP/s of the matrix-product and convolution kernels.")
final class Bench implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ModelOptions choice = new ModelOptions();

    @Option(names = "--steps", defaultValue = "20", converter = Numbers.Count.class,
            description = "Training steps to time, at least 1 (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--profile", description = "Also time each kind of kernel (with a wait after every launch) and print where the time goes.")
    boolean profile;

    @Option(names = "--tune", description = "First time every candidate block size of the model's tunable kernels (the matrix products) on this "
            + "OpenCL device, at the train block's batch, and keep the fastest in the tuning cache (~/.cache/dln/tuning.json, or "
            + "DLN_TUNING_CACHE) for every later run on this device.")
    boolean tune;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        return Run.guarded(err, () -> {
            Run.Compiled compiled = Run.compile(choice.file, choice.modelName, choice.roots(), err, false);
            try (Backend backend = compiled.backend(choice.device, false, err)) {
                out.println("device: " + backend.description());
                if (Backends.check(choice.device).equals("auto")) autoChoice(compiled, backend, out);
                bench(compiled, backend, out);
            }
            return Dlnc.OK;
        });
    }

    /** What auto chose and on what times, when the backend is its kept choice (not a GPU, not a small model's JVM). */
    private static void autoChoice(Run.Compiled compiled, Backend backend, PrintWriter out) {
        AutoWorkload work = new AutoWorkload(compiled, false);
        BackendChoices.Entry kept = Backends.kept(work);
        boolean jvm = backend instanceof dln.runtime.jvm.JvmBackend;
        if (kept == null || !kept.chosen().equals(jvm ? BackendChoices.JVM : BackendChoices.OPENCL)) return;
        out.printf(Locale.ROOT, "auto: %s, timed once for %s: %.3g ms on the JVM, %.3g ms on OpenCL%n", jvm ? "the JVM" : "OpenCL", work.what(),
                kept.jvmMs(), kept.openclMs());
    }

    private void bench(Run.Compiled compiled, Backend backend, PrintWriter out) throws java.io.IOException {
        Training t = compiled.checked().trainings().get(compiled.generated().model());
        Model.Info info;
        try (Model probe = compiled.create(new dln.runtime.jvm.JvmBackend(), 1)) {
            info = probe.info();
        }
        Dataset data = data(t, info, out);
        int batch = t == null ? 256 : t.batch() == Training.ALL ? data.count() : (int) Math.min(t.batch(), data.count());
        if (tune) tune(compiled, backend, info.trainable() ? batch : 256, out);
        try (Model model = compiled.create(backend, Math.max(batch, 256))) {
            model.initialize(0);
            if (info.trainable()) train(model, data, batch, t, out);
            predict(model, data, out);
        }
        if (profile && info.trainable()) {
            dln.runtime.Profiler profiler = new dln.runtime.Profiler(backend);
            try (Model model = compiled.create(profiler, Math.max(batch, 256))) {
                model.initialize(0);
                train(model, data, batch, t, new PrintWriter(java.io.Writer.nullWriter()));
                out.println("where a training step's time goes (each launch waited for):");
                profiler.report().forEach(out::println);
                out.println("the slowest kernels (the layer is in the name):");
                profiler.slowest(8).forEach(out::println);
            }
        }
        if (profile) {
            dln.runtime.Profiler profiler = new dln.runtime.Profiler(backend);
            try (Model model = compiled.create(profiler, 256)) {
                model.initialize(0);
                predict(model, data, new PrintWriter(java.io.Writer.nullWriter()));
                out.println("where a prediction batch's time goes (each launch waited for):");
                profiler.report().forEach(out::println);
                out.println("the slowest kernels of a prediction batch:");
                profiler.slowest(8).forEach(out::println);
            }
        }
        kernels(backend, out);
    }

    /**
     * Tunes the model's kernels at the batch it trains with (predicts with, for a model that does not
     * train), prints what was tried and chosen, and keeps the choices in the cache: the models this
     * command then times, and later runs on this device, build with them.
     */
    private static void tune(Run.Compiled compiled, Backend backend, int batch, PrintWriter out) throws java.io.IOException {
        if (!(backend instanceof ClBackend cl)) {
            out.println("tune: nothing to tune on the JVM backend (block sizes are OpenCL build options)");
            return;
        }
        List<Kernel> kernels;
        try (Model probe = compiled.create(new dln.runtime.jvm.JvmBackend(), 1)) {
            kernels = probe.kernels();
        }
        out.printf(Locale.ROOT, "tune: timing each candidate block size of the model's tunable kernels at batch %d (medians of %d rounds;"
                + " the defaults stay unless a candidate is more than %.0f%% faster)%n", batch, Tuner.ROUNDS, 100 * Tuner.MARGIN);
        List<Tuner.Outcome> outcomes = new Tuner(cl).tune(kernels, batch);
        for (Tuner.Outcome o : outcomes) o.lines().forEach(out::println);
        long changed = outcomes.stream().filter(o -> !o.chosen().equals(o.trials().get(0).choice())).count();
        out.printf(Locale.ROOT, "tune: %d of %d kernel shapes changed; kept in %s%n", changed, outcomes.size(), cl.tuning().file());
        out.flush();
    }

    /** The train block's data when it names one the model can read; else random examples of the model's shapes. */
    private Dataset data(Training t, Model.Info info, PrintWriter out) {
        if (t != null && t.data() != null && info.inputs().size() == 1) {
            long start = System.nanoTime();
            try {
                Path folder = Path.of(choice.file).toAbsolutePath().getParent();
                Dataset d = Splits.read(t, t.data(), folder, info);
                out.printf(Locale.ROOT, "data: %d examples from the train block's %s source (read in %.2f s)%n", d.count(), t.data().kind(), seconds(start));
                return d;
            } catch (DataException | DataError e) {
                out.println("data: cannot read the train block's data (" + e.getMessage() + "); timing on random examples instead");
            }
        }
        int n = 1024;
        long per = size(info.inputShapes().get(0));
        float[] x = new float[(int) (n * per)];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = info.intInputs().get(0) ? r.nextInt(2) : (float) r.nextGaussian();
        long width = 0;   // each output's targets one after another: a class index, or the output's values
        for (int o = 0; o < info.outputs().size(); o++) {
            boolean labels = o == 0 ? info.labels() : t != null && t.losses().get(o).labels();
            width += labels ? 1 : size(info.outputShapes().get(o));
        }
        float[] y = new float[(int) (n * width)];
        out.println("data: " + n + " random examples of the model's shapes");
        return new Dataset(info.inputShapes().get(0), x, n, width, y, info.labels());
    }

    private void train(Model model, Dataset data, int batch, Training t, PrintWriter out) {
        double fraction = t.split() != null ? t.split().train() : t.validation() != null ? 1 - t.validation() : 1;
        long perEpoch = Math.max(1, Math.round(data.count() * fraction));
        long stepsPerEpoch = (perEpoch + batch - 1) / batch;
        Dataset[] batches = new Dataset[Math.max(1, Math.min(steps, (int) stepsPerEpoch))];
        for (int i = 0; i < batches.length; i++) {
            int from = (int) ((long) i * batch % Math.max(1, data.count() - batch + 1));
            batches[i] = data.slice(from, from + batch);
        }
        float[][] extra = extraInputs(model.info(), batch);
        if (extra.length == 0) extra = new float[][] {new float[(int) (batch * data.inputSize())]};
        // Warm-up, as the PyTorch peer's 20 batches are: the kernels' first launches, and the JIT's
        // compilation of the host code, which on a 2-core machine takes CPU time from the device's
        // threads for the first few hundred steps (fashion_mlp: 300 steps ran at 0.75-0.8 of the rate after it)
        long warm = System.nanoTime();
        for (int i = 0; i < WARM_STEPS || seconds(warm) < WARM_SECONDS; i++) step(model, batches[i % batches.length], extra);
        model.backend().finish();
        int timed = Math.max(steps, 1), windows = Math.min(WINDOWS, timed);
        double[] perStep = new double[windows];
        for (int w = 0, i = 0; w < windows; w++) {
            int end = (int) ((long) timed * (w + 1) / windows), count = end - i;
            long start = System.nanoTime();
            for (; i < end; i++) step(model, batches[i % batches.length], extra);
            model.backend().finish();
            perStep[w] = seconds(start) / count;
        }
        model.takeMetrics();
        double median = median(perStep);
        out.printf(Locale.ROOT, "train: %.2f s/epoch (%.0f img/s)   [%d examples per epoch in batches of %d, %d steps timed%s]%n",
                median * stepsPerEpoch, batch / median, perEpoch, batch, timed, spread(perStep, batch));
        long before = model.launches();
        step(model, batches[0], extra);
        out.printf(Locale.ROOT, "launches: %d a training step%n", model.launches() - before);
    }

    /**
     * The timed steps (and prediction batches) run in this many consecutive windows, each timed on its
     * own, and the median window's rate is the figure (PyTorch's peer reports the median of its epochs
     * and of its inference passes): on a shared machine a burst of another tenant's work slows one
     * window, not the figure. The slowest and fastest windows are printed beside it.
     */
    static final int WINDOWS = 5;

    /** The median of {@code xs} (the upper one of an even count). */
    static double median(double[] xs) {
        double[] sorted = xs.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** "; median of n windows, slowest–fastest img/s" for windows of {@code secondsPer} seconds per item of {@code items} examples; empty for one window. */
    private static String spread(double[] secondsPer, int items) {
        if (secondsPer.length < 2) return "";
        double slowest = java.util.Arrays.stream(secondsPer).max().orElseThrow(), fastest = java.util.Arrays.stream(secondsPer).min().orElseThrow();
        return String.format(Locale.ROOT, "; median of %d windows, %.0f-%.0f img/s", secondsPer.length, items / slowest, items / fastest);
    }

    /** Training steps before the timed ones: at least this many, and for at least this long. */
    static final int WARM_STEPS = 20;
    static final double WARM_SECONDS = 1.0;

    /**
     * One training step on batch b as the trainer takes it: bytes as bytes for a model of one input
     * (the device converts them), else converted into inputs[0] (the other inputs stay zeros).
     */
    private static void step(Model model, Dataset b, float[][] inputs) {
        if (b.values() instanceof Values.Bytes bytes && inputs.length == 1) {
            model.trainStep(b.count(), b.targets(), bytes.data(), bytes.table());
            return;
        }
        b.values().copy(0, inputs[0], 0, b.values().length());
        model.trainStep(b.count(), b.targets(), inputs);
    }

    private static float[][] extraInputs(Model.Info info, int n) {
        if (info.inputs().size() == 1) return new float[0][];
        float[][] xs = new float[info.inputs().size()][];
        for (int i = 0; i < xs.length; i++) xs[i] = new float[(int) (n * size(info.inputShapes().get(i)))];
        return xs;
    }

    /**
     * Prediction batches of 256 (or all the data there is) as `dlnc eval`'s evaluation gives them: an
     * IDX file's bytes as bytes (the device converts them), other inputs as floats.
     */
    private void predict(Model model, Dataset data, PrintWriter out) {
        int n = Math.min(data.count(), 256);
        Dataset batch = data.slice(0, n);
        float[][] inputs = extraInputs(model.info(), n);
        Runnable predict;
        if (batch.values() instanceof Values.Bytes bytes && inputs.length == 0) {
            predict = () -> model.predict(n, bytes.data(), bytes.table());
        } else {
            float[][] all = inputs.length == 0 ? new float[1][] : inputs;
            all[0] = batch.inputs();
            predict = () -> model.predict(n, all);
        }
        long before = model.launches();
        predict.run();
        long launches = model.launches() - before;
        long warm = System.nanoTime();
        while (seconds(warm) < WARM_SECONDS / 2) predict.run();
        double[] perBatch = new double[WINDOWS];
        for (int w = 0; w < WINDOWS; w++) {
            int reps = 0;
            long start = System.nanoTime();
            while (reps < 2 || seconds(start) < PREDICT_WINDOW_SECONDS) {
                predict.run();
                reps++;
            }
            perBatch[w] = seconds(start) / reps;
        }
        out.printf(Locale.ROOT, "predict: %.0f img/s   [batch %d, %d launches a batch%s]%n", n / median(perBatch), n, launches, spread(perBatch, n));
    }

    /** How long each window of prediction batches runs, at least (and two batches). */
    static final double PREDICT_WINDOW_SECONDS = 0.1;

    /** GFLOP/s of a 1024³ matrix product and of LeNet-5's second convolution at batch 64, on this backend. */
    private static void kernels(Backend backend, PrintWriter out) {
        int size = 1024;
        Kernel gemm = new Gemm("bench_gemm", false, false, Dim.of(size), Dim.of(size), Dim.of(size), size, size, size, 1f, 0f);
        double g = time(backend, gemm, 1, 2.0 * size * size * size, new long[] {(long) size * size, (long) size * size, (long) size * size});
        out.printf(Locale.ROOT, "matmul: %.1f GFLOP/s   [%d×%d×%d]%n", g, size, size, size);
        ConvGeom geom = ConvGeom.of(6, 16, new long[] {14, 14}, new long[] {5, 5}, new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1});
        int batch = 64;
        double flops = 2.0 * batch * 16 * 10 * 10 * 6 * 25;
        double c = time(backend, new ConvForward("bench_conv", geom), batch, flops, new long[] {batch * 6L * 14 * 14, 16L * 6 * 25, batch * 16L * 10 * 10});
        out.printf(Locale.ROOT, "conv2d: %.1f GFLOP/s   [batch %d, 6×14×14 → 16×10×10, 5×5 kernel]%n", c, batch);
    }

    private static double time(Backend backend, Kernel k, int batch, double flops, long[] sizes) {
        backend.compile(List.of(k));
        Buffer[] bufs = new Buffer[sizes.length];
        Random r = new Random(2);
        for (int i = 0; i < sizes.length; i++) {
            bufs[i] = backend.allocate(sizes[i]);
            float[] v = new float[(int) sizes[i]];
            for (int j = 0; j < v.length; j++) v[j] = r.nextFloat();
            backend.write(bufs[i], v);
        }
        backend.launch(k, batch, 0, bufs);
        backend.finish();
        int reps = 0;
        long start = System.nanoTime();
        while (reps < 3 || seconds(start) < 1) {
            backend.launch(k, batch, 0, bufs);
            backend.finish();
            reps++;
        }
        return flops * reps / seconds(start) / 1e9;
    }

    private static double seconds(long start) { return (System.nanoTime() - start) / 1e9; }

    private static long size(long[] shape) {
        long s = 1;
        for (long d : shape) s *= d;
        return s;
    }
}
