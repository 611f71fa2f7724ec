package dln.cli;

import dln.Compiler;
import dln.check.SourceRoots;
import dln.diag.Renderer;
import dln.emit.InMemoryJavac;
import dln.runtime.Backend;
import dln.runtime.Model;
import dln.runtime.cl.ClBackend;
import dln.runtime.cl.DeviceTooSmall;
import dln.runtime.device.Backends;
import dln.runtime.io.FileErrors;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the running commands (predict, bench) share: check a file, pick its model, compile the
 * generated class in memory and create it on a backend. Failures are user errors with a message.
 */
final class Run {
    private Run() {}

    /** A failure to report in one line, with the exit code to return. */
    static final class Failure extends RuntimeException {
        final int code;

        Failure(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    /** A command's work, which may fail on the user's input. */
    interface Body {
        int run() throws java.io.IOException;
    }

    /**
     * Runs {@code body} and turns the user's mistakes into one `dlnc: error:` line and their exit
     * code: bad usage or an unknown device 2; bad data, weights or files, a checkpoint folder
     * in use, 1. File errors read {@code PATH: reason}.
     */
    static int guarded(PrintWriter err, Body body) {
        try {
            return body.run();
        } catch (Failure f) {
            if (f.getMessage() != null) err.println("dlnc: error: " + f.getMessage());
            return f.code;
        } catch (Backends.NoSuchDevice | DeviceTooSmall e) {
            err.println("dlnc: error: " + e.getMessage());
            return Dlnc.USAGE;
        } catch (dln.runtime.io.DataException | dln.runtime.data.DataError | dln.train.FolderLock.Busy | IllegalArgumentException
                 | Cluster.Failure e) {
            err.println("dlnc: error: " + e.getMessage());
            return Dlnc.BAD_INPUT;
        } catch (java.io.IOException e) {
            err.println("dlnc: error: " + FileErrors.message(e));
            return Dlnc.BAD_INPUT;
        } catch (java.io.UncheckedIOException e) {
            err.println("dlnc: error: " + FileErrors.message(e.getCause()));
            return Dlnc.BAD_INPUT;
        }
    }

    /** A model compiled and loaded in this JVM, ready to create on a backend. */
    record Compiled(Compiler.Result checked, Compiler.Generated generated, Class<? extends Model> type, long flopsPerExample) {
        Model create(Backend backend, int maxBatch) {
            return create(backend, maxBatch, false);
        }

        /** With {@code predictionOnly}, a model that allocates only what prediction uses (no gradients or optimizer state). */
        Model create(Backend backend, int maxBatch, boolean predictionOnly) {
            try {
                return type.getConstructor(Backend.class, int.class, boolean.class).newInstance(backend, maxBatch, predictionOnly);
            } catch (java.lang.reflect.InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new IllegalStateException(e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * The backend for {@code device} (null: DLN_DEVICE, else auto), auto choosing by this model's
         * work per example and, between the CPU's OpenCL device and the JVM, by timing the model on both
         * once per machine ({@link AutoWorkload}: a training step, or a prediction batch when the
         * command is {@code predicting}; a line on {@code err} when it does); when it is the JVM's
         * for want of OpenCL or of a native BLAS, one line on {@code err} says so and what to install.
         */
        Backend backend(String device, boolean predicting, PrintWriter err) {
            Backend backend = Backends.open(device, flopsPerExample, new AutoWorkload(this, predicting), note -> err.println("dlnc: note: " + note));
            String notice = Backends.notice(backend, device, flopsPerExample);
            if (notice != null) err.println("dlnc: note: " + notice);
            if (backend instanceof ClBackend cl && cl.tuning().warning() != null) err.println("dlnc: warning: " + cl.tuning().warning());
            err.flush();
            return backend;
        }
    }

    static Compiled compile(String file, String modelName, SourceRoots roots, PrintWriter err, boolean color) {
        Path path = Path.of(file);
        String unreadable = FileErrors.unreadable(path);
        if (unreadable != null) throw new Failure(Dlnc.BAD_INPUT, file + ": " + unreadable);
        Compiler.Result checked = Compiler.check(path, file, roots);
        Renderer renderer = new Renderer(color);
        err.print(renderer.render(checked.diagnostics()));
        if (!checked.ok()) {
            err.println(renderer.summary(checked.diagnostics().errorCount(), checked.diagnostics().warningCount()));
            throw new Failure(Dlnc.BAD_INPUT, null);
        }
        List<Compiler.Generated> all = Compiler.generate(checked, "dln.models", path.getFileName().toString());
        String model = choose(all.stream().map(Compiler.Generated::model).toList(), checked, modelName, file);
        Compiler.Generated chosen = all.stream().filter(g -> g.model().equals(model)).findFirst().orElseThrow();
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put(chosen.packageName() + "." + chosen.className(), chosen.java());
        ClassLoader loader = InMemoryJavac.compile(sources, Map.of(chosen.openclPath(), chosen.opencl()));
        try {
            Class<? extends Model> type = loader.loadClass(chosen.packageName() + "." + chosen.className()).asSubclass(Model.class);
            return new Compiled(checked, chosen, type, checked.networks().get(chosen.model()).flops());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The model named, else the only one, else the one with a train block, of the file's {@code models}. */
    static String choose(List<String> models, Compiler.Result checked, String name, String file) {
        if (name != null) {
            if (models.contains(name)) return name;
            throw new Failure(Dlnc.USAGE, file + " has no model `" + name + "`; it has " + names(models));
        }
        if (models.size() == 1) return models.get(0);
        List<String> trained = models.stream().filter(checked.trainings()::containsKey).toList();
        if (trained.size() == 1) return trained.get(0);
        if (models.isEmpty()) throw new Failure(Dlnc.BAD_INPUT, file + " defines no model");
        throw new Failure(Dlnc.USAGE, file + " defines several models (" + names(models) + "): choose one with --model");
    }

    private static String names(List<String> models) {
        return String.join(", ", models.stream().map(m -> "`" + m + "`").toList());
    }
}
