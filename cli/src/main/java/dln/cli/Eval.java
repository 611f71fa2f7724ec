package dln.cli;

import dln.runtime.Backend;
import dln.runtime.Model;
import dln.runtime.data.Dataset;
import dln.train.Evaluation;
import dln.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `dlnc eval`: a trained model's loss and metrics on test data, and a classifier's confusion matrix. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate trained weights on the test data the train block names (or --test, or all of --data): "
                + "loss, metrics and, for classifiers, a confusion matrix.")
final class Eval implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ModelOptions choice = new ModelOptions();

    @Option(names = {"-w", "--weights"}, paramLabel = "FILE", required = true, description = "The trained weights (safetensors, DLN's or a PyTorch state dict's names).")
    Path weights;

    @Option(names = "--seed", paramLabel = "N", converter = Numbers.Seed.class,
            description = "The seed (0 or more) of the split, when the test data is split off the data (default: the train block's).")
    Long seed;

    @CommandLine.Mixin
    DataOptions sources = new DataOptions();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        return Run.guarded(err, () -> {
            Job job = Job.prepare(choice, sources, seed, err);
            Dataset set = sources.data != null && sources.test == null ? all(job) : job.splits().test();
            if (set == null) {
                throw new Run.Failure(Dlnc.BAD_INPUT, choice.file + ": no test data: the train block has no `test` source and no `split` with a test part;"
                        + " give --test PATH or --data PATH");
            }
            try (Backend backend = job.compiled().backend(choice.device, true, err); Model model = job.compiled().create(backend, job.maxBatch(1))) {
                model.load(weights);
                Evaluation e = Evaluation.of(model, set, Trainer.Settings.metrics(job.training(), job.info()), job.info().labels());
                out.printf(Locale.ROOT, "evaluating %s on %d example%s, on %s%n", job.info().name(), set.count(), set.count() == 1 ? "" : "s",
                        backend.description());
                if (e.confusion() != null) confusion(out, e.confusion());
                e.values().forEach((k, v) -> {
                    if (!k.equals("loss")) out.println("test " + k + ": " + Console.value(v));
                });
                out.println("test loss: " + Console.value(e.values().get("loss")));
            }
            return Dlnc.OK;
        });
    }

    /** Every example of --data, split or not. */
    private static Dataset all(Job job) {
        var s = job.splits();
        Dataset d = s.train();
        for (Dataset part : new Dataset[] {s.validation(), s.test()}) {
            if (part != null && part != d) d = concat(d, part);
        }
        return d;
    }

    private static Dataset concat(Dataset a, Dataset b) {
        float[] x = new float[a.inputs().length + b.inputs().length], y = new float[a.targets().length + b.targets().length];
        System.arraycopy(a.inputs(), 0, x, 0, a.inputs().length);
        System.arraycopy(b.inputs(), 0, x, a.inputs().length, b.inputs().length);
        System.arraycopy(a.targets(), 0, y, 0, a.targets().length);
        System.arraycopy(b.targets(), 0, y, a.targets().length, b.targets().length);
        return new Dataset(a.inputShape(), x, a.count() + b.count(), a.targetWidth(), y, a.labels());
    }

    /** Rows are true classes, columns predicted ones, then each class's recall. */
    static void confusion(PrintWriter out, long[][] counts) {
        long max = 0;
        for (long[] row : counts) for (long c : row) max = Math.max(max, c);
        int width = Math.max(3, Long.toString(max).length() + 1);
        int classes = counts.length;
        out.println("confusion matrix (rows: true class, columns: predicted):");
        StringBuilder head = new StringBuilder(" ".repeat(6));
        for (int k = 0; k < classes; k++) head.append(pad(Integer.toString(k), width));
        out.println(head.append("   recall"));
        for (int r = 0; r < classes; r++) {
            StringBuilder line = new StringBuilder(pad(Integer.toString(r), 4)).append("  ");
            long total = 0;
            for (int c = 0; c < classes; c++) {
                line.append(pad(Long.toString(counts[r][c]), width));
                total += counts[r][c];
            }
            line.append(total == 0 ? "        -" : String.format(Locale.ROOT, "   %.4f", (double) counts[r][r] / total));
            out.println(line);
        }
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }
}
