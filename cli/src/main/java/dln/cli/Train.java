package dln.cli;

import dln.check.SourceRoots;
import dln.net.Training;
import dln.runtime.Backend;
import dln.runtime.Model;
import dln.runtime.cl.ClBackend;
import dln.runtime.data.Dataset;
import dln.train.Checkpoint;
import dln.train.Evaluation;
import dln.train.FolderLock;
import dln.train.Inputs;
import dln.train.Splits;
import dln.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `dlnc train`: run a model's train block, with checkpoints, and evaluate it on the test data. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model as its train block says: data, splits, batches, epochs, schedule, augmentation, early stopping, "
                + "checkpoints; then evaluate it on the test data.")
final class Train implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ModelOptions choice = new ModelOptions();

    @Option(names = "--epochs", paramLabel = "N", converter = Numbers.LongCount.class,
            description = "Train this many epochs (at least 1) instead of the train block's.")
    Long epochs;

    @Option(names = "--seed", paramLabel = "N", converter = Numbers.Seed.class,
            description = "The seed (0 or more) instead of the train block's (initial weights, split, order, augmentation).")
    Long seed;

    @CommandLine.Mixin
    DataOptions sources = new DataOptions();

    @Option(names = {"-w", "--weights"}, paramLabel = "FILE", description = "Start from these weights (safetensors, DLN's or a PyTorch state dict's names) instead of the initializers.")
    Path weights;

    @Option(names = "--checkpoint", paramLabel = "DIR", description = "The checkpoint folder instead of the train block's.")
    Path checkpoint;

    @Option(names = "--resume", description = "Continue the run saved in the checkpoint folder from its last epoch.")
    boolean resume;

    @Option(names = "--master", paramLabel = "URL",
            description = "Train data-parallel on Spark: local[N], spark://HOST:PORT, yarn or k8s://... (docs/SCALE.md).")
    String master;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        return Run.guarded(err, () -> {
            Job job = Job.prepare(choice, sources, seed, err);
            Training t = job.training();
            Path folder = checkpoint != null ? checkpoint : t.checkpoint() != null ? blockCheckpoint(job.folder(), t.checkpoint()) : null;
            if (resume && folder == null) {
                throw new Run.Failure(Dlnc.USAGE, "--resume needs a checkpoint folder: `checkpoint` in the train block, or --checkpoint DIR");
            }
            Trainer.Settings settings = new Trainer.Settings(epochs != null ? epochs : t.epochs(), t.batch(), job.seed(), t.shuffle(),
                    t.augment(), t.schedule(), t.earlyStop(), Trainer.Settings.metrics(t, job.info()), folder, resume);
            int batch = job.batch();
            try (FolderLock lock = folder == null ? null : FolderLock.take(folder, command());
                 Backend backend = job.compiled().backend(choice.device, false, err); Model model = job.compiled().create(backend, job.maxBatch(batch));
                 Cluster.Workers workers = master == null ? null : Cluster.find().open(master, spec(job), err)) {
                model.initialize(job.seed());
                if (weights != null) model.load(weights);
                header(out, job, backend, settings, batch);
                if (workers != null) out.println("data parallel: " + workers.description());
                Console console = new Console(out, System.console() != null ? System.out : null);
                if (backend instanceof ClBackend) {
                    console.slowStartNote("the OpenCL driver compiles each kernel the first time it runs; "
                            + "PoCL keeps them in ~/.cache/pocl, so later runs of this model start at once");
                }
                Trainer trainer = new Trainer(model, settings, console, job.splits().validation() != null).distributed(workers);
                Trainer.Result result = fit(trainer, job.splits(), settings, folder, err);
                report(out, result, settings, folder);
                if (job.splits().train().count() <= TABLE) table(out, model, job.splits().train());
                Dataset testSet = job.splits().test();
                if (testSet != null) console.test(Evaluation.of(model, testSet, settings.metrics(), false));
                else out.println("no test data (the train block has no `test` source and no `split` with a test part)");
            }
            return Dlnc.OK;
        });
    }

    /** This run as a cluster's executors prepare it again: paths absolute, the seed decided. */
    private Job.Spec spec(Job job) {
        return new Job.Spec(absolute(Path.of(choice.file)), choice.modelName,
                choice.importPath.folders.stream().map(Train::absolute).toList(),
                sources.data == null ? null : absolute(sources.data), sources.test == null ? null : absolute(sources.test), job.seed(), choice.device,
                job.fingerprint(choice.file));
    }

    private static String absolute(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }

    /**
     * Runs the training. Ctrl-C (or SIGTERM) ends the JVM at once; checkpoints are written
     * atomically, so what is on disk is whole, and a shutdown hook says what that is and how to go on.
     */
    private Trainer.Result fit(Trainer trainer, Splits data, Trainer.Settings settings, Path folder, PrintWriter err) throws IOException {
        Thread hook = new Thread(() -> {
            err.println();
            err.println("dlnc: " + interrupted(trainer, settings, folder));
            err.flush();
        }, "dlnc-interrupted");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return trainer.fit(data);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or has run
            }
        }
    }

    /**
     * The train block's checkpoint folder, which must lie below the model file's own folder, links
     * followed: a `.dln` file from elsewhere does not choose where on the machine dlnc writes
     * (docs/SECURITY.md). A folder elsewhere is the user's to name, with --checkpoint.
     */
    static Path blockCheckpoint(Path modelFolder, String named) {
        Path folder = modelFolder.resolve(named).normalize();
        boolean inside = new SourceRoots(List.of(modelFolder), "").holds(folder);
        if (!inside) {
            throw new Run.Failure(Dlnc.BAD_INPUT, "the train block's checkpoint folder \"" + named + "\" is outside "
                    + modelFolder + ": a .dln file may only write below its own folder; to keep the checkpoints elsewhere, "
                    + "give the folder on the command line with --checkpoint DIR");
        }
        return folder;
    }

    /** What an interrupted run leaves: the epoch it was in and what the checkpoint folder holds (read back from it). */
    String interrupted(Trainer trainer, Trainer.Settings s, Path folder) {
        long epoch = trainer.running(), onDisk = folder == null ? -1 : Checkpoint.epochs(folder);
        String where = epoch < 0 ? "interrupted before the first epoch" : "interrupted in epoch " + (epoch + 1) + "/" + s.epochs();
        if (folder == null) {
            return where + "; nothing was saved (no checkpoint folder: `checkpoint` in the train block, or --checkpoint DIR)";
        }
        if (onDisk < 0) return where + ", before the first checkpoint: " + shown(folder) + " holds nothing to resume";
        return where + "; " + shown(folder) + " holds " + epochs(onDisk) + ": `" + resumeCommand() + "` goes on from there";
    }

    /** This command as it was typed, for the lock file that says who holds the checkpoint folder. */
    private String command() {
        StringBuilder b = new StringBuilder("dlnc");
        for (String arg : spec.commandLine().getParseResult().originalArgs()) b.append(' ').append(quoted(arg));
        return b.toString();
    }

    /** This command again with --resume, keeping the options that make it the same run. */
    private String resumeCommand() {
        StringBuilder b = new StringBuilder("dlnc train ").append(quoted(choice.file));
        if (choice.modelName != null) b.append(" --model ").append(quoted(choice.modelName));
        if (epochs != null) b.append(" --epochs ").append(epochs);
        if (seed != null) b.append(" --seed ").append(seed);
        if (sources.data != null) b.append(" --data ").append(quoted(sources.data.toString()));
        if (checkpoint != null) b.append(" --checkpoint ").append(quoted(checkpoint.toString()));
        if (master != null) b.append(" --master ").append(quoted(master));
        return b.append(" --resume").toString();
    }

    /** A word as a POSIX shell reads it back: as it is when plain, else in single quotes. */
    static String quoted(String word) {
        return word.matches("[A-Za-z0-9_./:=@%+,-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    private static void header(PrintWriter out, Job job, Backend backend, Trainer.Settings s, int batch) {
        Splits d = job.splits();
        out.printf(Locale.ROOT, "training %s on %s%n", job.info().name(), backend.description());
        out.printf(Locale.ROOT, "data: %d training, %d validation, %d test examples; batch %s, %s, %s%n",
                d.train().count(), count(d.validation()), count(d.test()), s.batch() == Training.ALL ? "all (" + batch + ")" : batch,
                epochs(s.epochs()), job.info().optimizer());
        out.flush();
    }

    /** Training sets of at most this many examples (XOR, the perceptron) get their predictions printed, as a truth table. */
    static final int TABLE = 16;

    /** One line per example: its inputs, the model's outputs, the targets. */
    private static void table(PrintWriter out, Model model, Dataset d) {
        float[] y = model.predict(d.count(), Inputs.unpack(d.inputs(), d.count(), model.info().inputShapes()))[0];
        int in = (int) d.inputSize(), width = y.length / Math.max(1, d.count()), t = (int) d.targetWidth();
        out.println("predictions on the training data (inputs -> outputs, targets):");
        for (int i = 0; i < d.count(); i++) {
            out.printf(Locale.ROOT, "  %s -> %s   %s%n", values(d.inputs(), i * in, in, "%.4g"), values(y, i * width, width, "%.4f"),
                    values(d.targets(), i * t, t, "%.4g"));
        }
    }

    private static String values(float[] a, int from, int count, String format) {
        StringBuilder s = new StringBuilder("[");
        for (int k = 0; k < count; k++) s.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, format, a[from + k]).replaceFirst("\\.?0+$", ""));
        return s.append(']').toString();
    }

    /** The folder relative to the working directory when it is inside it. */
    private static Path shown(Path folder) {
        Path cwd = Path.of("").toAbsolutePath(), abs = folder.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs) : folder;
    }

    private static int count(Dataset d) { return d == null ? 0 : d.count(); }

    private static String epochs(long n) {
        return n + (n == 1 ? " epoch" : " epochs");
    }

    private static void report(PrintWriter out, Trainer.Result r, Trainer.Settings s, Path folder) {
        if (r.log().isEmpty()) return;
        if (r.startEpoch() >= s.epochs() || (r.startEpoch() > 0 && r.log().size() == r.startEpoch() && r.stoppedEarly())) {
            out.println("the checkpoint has finished its training already (" + epochs(r.log().size()) + "): nothing left to train");
        }
        if (r.stoppedEarly()) {
            out.printf(Locale.ROOT, "stopped early: %s did not improve for %s%n", r.monitor(), epochs(s.earlyStop().patience()));
        }
        if (r.bestEpoch() >= 0 && (folder != null || s.earlyStop() != null)) {
            out.printf(Locale.ROOT, "best epoch: %d (%s %.4f)%s%n", r.bestEpoch() + 1, r.monitor(), r.best(),
                    r.restored() ? ", its weights restored" : "");
        }
        if (folder != null) {
            out.println("checkpoint: " + shown(folder) + " (" + Checkpoint.BEST + ", " + Checkpoint.LAST + ", " + Checkpoint.STATE + ", " + Checkpoint.LOG + ", " + Checkpoint.CURVES + ")");
        }
    }
}
