package dln.cli;

import dln.runtime.Model;
import dln.runtime.data.Finite;
import dln.runtime.io.FileErrors;
import dln.runtime.io.Npy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `dlnc predict`: run a compiled model on arrays from .npy files and write its outputs as .npy. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Run a model on inputs from .npy or .csv files and write its outputs as .npy or .csv files.")
final class Predict implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ModelOptions choice = new ModelOptions();

    @Option(names = {"-w", "--weights"}, paramLabel = "FILE", description = "The trained weights (safetensors, PyTorch names and layouts).")
    Path weights;

    @Option(names = "--untrained", description = "Predict without --weights, from the initializers with seed --seed (a warning says so).")
    boolean untrained;

    @Option(names = "--seed", defaultValue = "0", converter = Numbers.Seed.class,
            description = "The initializers' seed with --untrained, 0 or more (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-i", "--input"}, paramLabel = "[NAME=]FILE.npy", required = true,
            description = "An input array [N, ...]; one per model input, as NAME=FILE when there are several. Integer ids come from integer .npy.")
    List<String> inputs;

    @Option(names = {"-o", "--output"}, paramLabel = "[NAME=]FILE.npy", required = true,
            description = "Where to write an output [N, ...]; a plain FILE is the first output; - is standard output, as CSV.")
    List<String> outputs;

    @Option(names = "--csv-header", description = "Input CSV files start with a header row.")
    boolean csvHeader;

    @Option(names = "--batch", defaultValue = "256", converter = Numbers.Count.class,
            description = "Examples per launch, at least 1 (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        return Run.guarded(err, () -> {
            untrained(err);
            if (outputs.stream().filter(o -> target(o).equals(STDOUT)).count() > 1) {
                throw new Run.Failure(Dlnc.USAGE, "only one --output can be - (standard output)");
            }
            Run.Compiled compiled = Run.compile(choice.file, choice.modelName, choice.roots(), err, false);
            try (Model model = compiled.create(compiled.backend(choice.device, true, err), batch, true)) {
                Model.Info info = model.info();
                if (weights != null) model.load(weights);
                else model.initialize(seed);
                float[][] xs = readInputs(info);
                int n = (int) (xs[0].length / size(info.inputShapes().get(0)));
                float[][] ys = model.predict(n, xs);
                writeOutputs(info, ys, n);
            }
            return Dlnc.OK;
        });
    }

    /** Without --weights the model predicts from random weights: refused unless --untrained asks for it, and then said. */
    private void untrained(PrintWriter err) {
        if (weights != null) {
            if (untrained) throw new Run.Failure(Dlnc.USAGE, "--untrained and --weights contradict each other: give one");
            return;
        }
        if (!untrained) {
            throw new Run.Failure(Dlnc.USAGE, "no --weights: give the trained weights with -w FILE (`dlnc train` writes them to its "
                    + "checkpoint folder), or --untrained to predict from the initial weights");
        }
        err.println("dlnc: warning: no --weights: predicting with untrained weights (the initializers with seed " + seed + ")");
        err.flush();
    }

    /** The output name for standard output. */
    static final String STDOUT = "-";

    /** The file part of [NAME=]FILE. */
    private static String target(String spec) {
        int eq = spec.indexOf('=');
        return eq > 0 ? spec.substring(eq + 1) : spec;
    }

    private float[][] readInputs(Model.Info info) throws IOException {
        List<String> names = info.inputs();
        float[][] xs = new float[names.size()][];
        long n = -1;
        for (String spec : inputs) {
            int eq = spec.indexOf('=');
            String name = eq > 0 ? spec.substring(0, eq) : names.size() == 1 ? names.get(0) : null;
            if (name == null) throw new Run.Failure(Dlnc.USAGE, "model " + info.name() + " has inputs " + names + ": write --input NAME=FILE.npy");
            int i = names.indexOf(name);
            if (i < 0) throw new Run.Failure(Dlnc.USAGE, "model " + info.name() + " has no input `" + name + "`; its inputs are " + names);
            Path path = Path.of(eq > 0 ? spec.substring(eq + 1) : spec);
            Npy.Array a = csv(path) ? csvInput(path, info.inputShapes().get(i)) : Npy.read(path);
            if (!a.integer()) Finite.check(path, a.data(), a.shape(), "inputs");
            long[] want = info.inputShapes().get(i);
            long[] got = a.shape();
            if (got.length != want.length + 1 || !Arrays.equals(Arrays.copyOfRange(got, 1, got.length), want)) {
                throw new IllegalArgumentException(path + ": an array of shape " + Arrays.toString(got) + ", but input `" + name
                        + "` takes [N, " + Arrays.toString(want).substring(1));
            }
            if (info.intInputs().get(i) && !a.integer()) {
                throw new IllegalArgumentException(path + ": input `" + name + "` takes integer ids, but this array holds floats (" + "use an integer dtype)");
            }
            if (n >= 0 && got[0] != n) throw new IllegalArgumentException(path + ": " + got[0] + " examples, but the other inputs have " + n);
            n = got[0];
            xs[i] = a.data();
        }
        for (int i = 0; i < xs.length; i++) {
            if (xs[i] == null) throw new Run.Failure(Dlnc.USAGE, "no --input for `" + names.get(i) + "`");
        }
        return xs;
    }

    private void writeOutputs(Model.Info info, float[][] ys, int n) throws IOException {
        List<String> names = info.outputs();
        List<String> written = new ArrayList<>();
        PrintWriter stdout = null;
        for (String spec : outputs) {
            int eq = spec.indexOf('=');
            String name = eq > 0 ? spec.substring(0, eq) : names.get(0);
            int i = names.indexOf(name);
            if (i < 0) throw new Run.Failure(Dlnc.USAGE, "model " + info.name() + " has no output `" + name + "`; its outputs are " + names);
            if (target(spec).equals(STDOUT)) {
                stdout = this.spec.commandLine().getOut();
                stdout.print(csvText(name, ys[i], n));
                continue;
            }
            Path path = Path.of(target(spec));
            try {
                write(path, name, info.outputShapes().get(i), ys[i], n);
            } catch (IOException e) {
                throw FileErrors.naming(path, e);
            }
            written.add(path.toString());
        }
        // with the data on standard output, what else there is to say goes to standard error
        PrintWriter report = stdout != null ? this.spec.commandLine().getErr() : this.spec.commandLine().getOut();
        if (!written.isEmpty()) report.println("wrote " + String.join(", ", written) + " (" + n + " examples)");
        if (stdout != null) stdout.flush();
    }

    /** One output to a file: .npy [n, ...shape], or CSV by the name. */
    private static void write(Path path, String name, long[] per, float[] values, int n) throws IOException {
        if (path.getParent() != null) Files.createDirectories(path.getParent());
        if (csv(path)) {
            dln.runtime.io.AtomicFiles.write(path, csvText(name, values, n).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return;
        }
        long[] shape = new long[per.length + 1];
        shape[0] = n;
        System.arraycopy(per, 0, shape, 1, per.length);
        Npy.write(path, new Npy.Array(shape, values, false));
    }

    private static boolean csv(Path p) {
        String name = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(".csv") || name.endsWith(".csv.gz");
    }

    /** A CSV file of inputs: one example per row, every column an input, with or without a header (`--csv-header`). */
    private Npy.Array csvInput(Path path, long[] shape) {
        dln.runtime.data.Dataset d = dln.runtime.data.Csv.read(path, csvHeader, dln.runtime.data.Csv.Targets.NONE, 1, shape);
        long[] full = new long[shape.length + 1];
        full[0] = d.count();
        System.arraycopy(shape, 0, full, 1, shape.length);
        boolean whole = true;
        for (float v : d.inputs()) whole &= v == Math.rint(v);
        return new Npy.Array(full, d.inputs(), whole);
    }

    /** One row per example, a header naming the output's elements (`y_0`, `y_1`, ...), numbers as Java prints floats. */
    private static String csvText(String output, float[] values, int n) {
        int per = n == 0 ? 0 : values.length / n;
        StringBuilder out = new StringBuilder();
        for (int j = 0; j < per; j++) out.append(j > 0 ? "," : "").append(output).append('_').append(j);
        out.append('\n');
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < per; j++) out.append(j > 0 ? "," : "").append(values[i * per + j]);
            out.append('\n');
        }
        return out.toString();
    }

    private static long size(long[] shape) {
        long s = 1;
        for (long d : shape) s *= d;
        return s;
    }
}
