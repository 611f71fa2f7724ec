package dln.cli;

import dln.runtime.Model;
import dln.runtime.data.Finite;
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

    @Option(names = {"-w", "--weights"}, paramLabel = "FILE",
            description = "Weights (safetensors, PyTorch names and layouts). Without it, the initializers with seed --seed.")
    Path weights;

    @Option(names = "--seed", defaultValue = "0", description = "The initializers' seed when there are no --weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-i", "--input"}, paramLabel = "[NAME=]FILE.npy", required = true,
            description = "An input array [N, ...]; one per model input, as NAME=FILE when there are several. Integer ids come from integer .npy.")
    List<String> inputs;

    @Option(names = {"-o", "--output"}, paramLabel = "[NAME=]FILE.npy", required = true,
            description = "Where to write an output [N, ...]; a plain FILE is the first output.")
    List<String> outputs;

    @Option(names = "--csv-header", description = "Input CSV files start with a header row.")
    boolean csvHeader;

    @Option(names = "--batch", defaultValue = "256", description = "Examples per launch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        return Run.guarded(err, () -> {
            if (batch < 1) throw new Run.Failure(Dlnc.USAGE, "--batch must be at least 1");
            Run.Compiled compiled = Run.compile(choice.file, choice.modelName, err, false);
            try (Model model = compiled.create(compiled.backend(choice.device), batch, true)) {
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
        for (String spec : outputs) {
            int eq = spec.indexOf('=');
            String name = eq > 0 ? spec.substring(0, eq) : names.get(0);
            int i = names.indexOf(name);
            if (i < 0) throw new Run.Failure(Dlnc.USAGE, "model " + info.name() + " has no output `" + name + "`; its outputs are " + names);
            long[] per = info.outputShapes().get(i);
            long[] shape = new long[per.length + 1];
            shape[0] = n;
            System.arraycopy(per, 0, shape, 1, per.length);
            Path path = Path.of(eq > 0 ? spec.substring(eq + 1) : spec);
            if (path.getParent() != null) Files.createDirectories(path.getParent());
            if (csv(path)) writeCsv(path, name, ys[i], n);
            else Npy.write(path, new Npy.Array(shape, ys[i], false));
            written.add(path.toString());
        }
        spec.commandLine().getOut().println("wrote " + String.join(", ", written) + " (" + n + " examples)");
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
    private static void writeCsv(Path path, String output, float[] values, int n) throws IOException {
        int per = n == 0 ? 0 : values.length / n;
        StringBuilder out = new StringBuilder();
        for (int j = 0; j < per; j++) out.append(j > 0 ? "," : "").append(output).append('_').append(j);
        out.append('\n');
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < per; j++) out.append(j > 0 ? "," : "").append(values[i * per + j]);
            out.append('\n');
        }
        dln.runtime.io.AtomicFiles.write(path, out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static long size(long[] shape) {
        long s = 1;
        for (long d : shape) s *= d;
        return s;
    }
}
