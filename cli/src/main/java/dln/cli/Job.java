package dln.cli;

import dln.net.Training;
import dln.runtime.Model;
import dln.runtime.jvm.JvmBackend;
import dln.train.Splits;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * What `dlnc train` and `dlnc eval` share: the model compiled, its train block, and the data
 * loaded and split as that block says (with the command line's overrides).
 */
record Job(Run.Compiled compiled, Training training, Model.Info info, Path folder, long seed, Splits splits) {

    static Job prepare(ModelOptions choice, DataOptions sources, Long seed, PrintWriter err) {
        String file = choice.file;
        Run.Compiled compiled = Run.compile(file, choice.modelName, choice.roots(), err, false);
        String model = compiled.generated().model();
        Training t = compiled.checked().trainings().get(model);
        if (t == null) throw new Run.Failure(Dlnc.BAD_INPUT, file + ": model " + model + " has no train block");
        Model.Info info;
        try (Model probe = compiled.create(new JvmBackend(), 1)) {
            info = probe.info();
        }
        Path folder = Path.of(file).toAbsolutePath().getParent();
        long s = seed != null ? seed : t.seed();
        return new Job(compiled, t, info, folder, s, Splits.load(t, folder, info, sources.data, sources.test, s));
    }

    /** The largest batch the model must take: the training batch, and up to 256 for evaluation. */
    int maxBatch(int trainBatch) {
        int largest = splits.train().count();
        if (splits.validation() != null) largest = Math.max(largest, splits.validation().count());
        if (splits.test() != null) largest = Math.max(largest, splits.test().count());
        return Math.max(1, Math.max(trainBatch, Math.min(256, largest)));
    }
}
