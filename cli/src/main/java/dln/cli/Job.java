package dln.cli;

import dln.check.SourceRoots;
import dln.net.Training;
import dln.runtime.Backend;
import dln.runtime.Model;
import dln.runtime.jvm.JvmBackend;
import dln.train.Splits;
import java.io.PrintWriter;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * What `dlnc train` and `dlnc eval` share: the model compiled, its train block, and the data
 * loaded and split as that block says (with the command line's overrides).
 */
public record Job(Run.Compiled compiled, Training training, Model.Info info, Path folder, long seed, Splits splits) {

    /**
     * What a job is made from, in a form that travels to another JVM (dln.spark's executors, which
     * prepare the same job from it): the file, the model, the import path, the data overrides
     * (null for the train block's), the seed (null for the block's), the device, and the
     * {@link #fingerprint} of the job it describes where it was made.
     */
    public record Spec(String file, String modelName, List<String> importPath, String data, String test, Long seed, String device,
                       String fingerprint) implements Serializable {}

    /**
     * What another JVM must see the same to run this job's steps: the bytes of {@code file}, its .dln file, the number
     * of training examples and their targets, hashed. A cluster's executors compare theirs with the
     * driver's, so that a different file or data at the same path is an error, not a silent drift.
     */
    public String fingerprint(String file) {
        try {
            var sha = java.security.MessageDigest.getInstance("SHA-256");
            byte[] source = sha.digest(java.nio.file.Files.readAllBytes(Path.of(file)));
            return java.util.HexFormat.of().formatHex(source, 0, 8) + "/" + splits.train().count() + "/"
                    + Integer.toHexString(java.util.Arrays.hashCode(splits.train().targets()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Job prepare(ModelOptions choice, DataOptions sources, Long seed, PrintWriter err) {
        return prepare(choice.file, choice.modelName, choice.roots(), sources.data, sources.test, seed, err);
    }

    /** The job {@code spec} describes; compile errors go to {@code err} and end in a {@link Run.Failure}. */
    public static Job prepare(Spec spec, PrintWriter err) {
        SourceRoots roots = SourceRoots.forCommandLine(Path.of(spec.file()), spec.importPath().stream().map(Path::of).toList());
        return prepare(spec.file(), spec.modelName(), roots, path(spec.data()), path(spec.test()), spec.seed(), err);
    }

    private static Job prepare(String file, String modelName, SourceRoots roots, Path data, Path test, Long seed, PrintWriter err) {
        Run.Compiled compiled = Run.compile(file, modelName, roots, err, false);
        String model = compiled.generated().model();
        Training t = compiled.checked().trainings().get(model);
        if (t == null) throw new Run.Failure(Dlnc.BAD_INPUT, file + ": model " + model + " has no train block");
        Model.Info info;
        try (Model probe = compiled.create(new JvmBackend(), 1)) {
            info = probe.info();
        }
        Path folder = Path.of(file).toAbsolutePath().getParent();
        long s = seed != null ? seed : t.seed();
        return new Job(compiled, t, info, folder, s, Splits.load(t, folder, info, data, test, s));
    }

    private static Path path(String p) {
        return p == null ? null : Path.of(p);
    }

    /** The backend for training on {@code device} (null: DLN_DEVICE, else auto), with {@link Run.Compiled#backend}'s notes on {@code err}. */
    public Backend backend(String device, PrintWriter err) {
        return compiled.backend(device, false, err);
    }

    /** A new model of this job's class on {@code backend}, taking batches of up to {@code maxBatch}. */
    public Model create(Backend backend, int maxBatch) {
        return compiled.create(backend, maxBatch);
    }

    /** The training batch: the train block's, or every training example for `batch all`. */
    public int batch() {
        return training.batch() == Training.ALL ? splits.train().count() : (int) training.batch();
    }

    /** The largest batch the model must take: the training batch, and up to 256 for evaluation. */
    int maxBatch(int trainBatch) {
        int largest = splits.train().count();
        if (splits.validation() != null) largest = Math.max(largest, splits.validation().count());
        if (splits.test() != null) largest = Math.max(largest, splits.test().count());
        return Math.max(1, Math.max(trainBatch, Math.min(256, largest)));
    }
}
