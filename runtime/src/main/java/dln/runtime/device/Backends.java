package dln.runtime.device;

import dln.runtime.Backend;
import dln.runtime.cl.ClBackend;
import dln.runtime.cl.Devices;
import dln.runtime.cl.SignalChaining;
import dln.runtime.host.Blas;
import dln.runtime.jvm.JvmBackend;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Chooses where models run: `--device gpu|cpu|java|auto|<index>`, else the DLN_DEVICE environment
 * variable, else auto. Auto takes the first OpenCL GPU. Without one, a model of fewer than
 * {@link #CPU_OPENCL_FLOPS} forward FLOPs per example runs on the JVM backend: the CPU OpenCL device's
 * ~3 µs launch cost per kernel loses on such models (XOR: the JVM about 10 times faster). For a larger
 * model no size rule holds (docs/PERFORMANCE.md: PoCL is faster on LeNet-5 and the LSTM, the JVM on
 * the MLP, the convolutional autoencoder and the ResNet), so auto times the model's work on both once
 * per machine ({@link #open(String, long, Workload, Consumer)}) and keeps the faster in {@link BackendChoices}.
 */
public final class Backends {
    private Backends() {}

    /** A choice that names no device here. */
    public static final class NoSuchDevice extends RuntimeException {
        NoSuchDevice(String message) { super(message); }
    }

    /** The model size from which `auto` prefers a CPU OpenCL device to the JVM backend. */
    public static final long CPU_OPENCL_FLOPS = 100_000;

    public static Backend open(String choice) { return open(choice, Long.MAX_VALUE); }

    /** As {@link #open(String)}, auto deciding between a CPU OpenCL device and the JVM by the model's forward FLOPs per example. */
    public static Backend open(String choice, long flopsPerExample) {
        String c = check(choice);
        if (c.equals("java") || c.equals("jvm")) return new JvmBackend();
        List<Devices.Device> devices = Devices.list();
        switch (c) {
            case "auto" -> {
                for (Devices.Device d : devices) if (d.gpu()) return new ClBackend(d);
                if (flopsPerExample >= CPU_OPENCL_FLOPS && !devices.isEmpty()) return new ClBackend(devices.get(0));
                return new JvmBackend();
            }
            case "gpu", "cpu" -> {
                boolean gpu = c.equals("gpu");
                for (Devices.Device d : devices) if (d.gpu() == gpu) return new ClBackend(d);
                throw new NoSuchDevice("no OpenCL " + c.toUpperCase(Locale.ROOT) + " device here" + from(choice) + "; " + choices(devices));
            }
            default -> {
                int index = Integer.parseInt(c);
                if (index >= devices.size()) throw new NoSuchDevice("there is no OpenCL device " + index + from(choice) + "; " + choices(devices));
                return new ClBackend(devices.get(index));
            }
        }
    }

    /** A model's work as `auto` times it on each backend. */
    public interface Workload {
        /** What is timed (the model, the step, the batch, a digest of its kernels): the key of its choice in {@link BackendChoices}. */
        String key();

        /** The step in words, for the line that says it was timed (e.g. "a training step of FashionMlp at batch 64"). */
        String what();

        /** The batch that a step takes. */
        int batch();

        /** The model made on {@code backend}, ready to take steps. */
        Trial start(Backend backend);
    }

    /** A model on one backend, taking the steps that are timed. */
    public interface Trial extends AutoCloseable {
        /** One step (a training step, or a prediction batch), finished when this returns. */
        void step();

        @Override void close();
    }

    /**
     * Timing: each trial first runs {@value #WARM_STEPS} steps and for {@value #WARM_SECONDS} s, then
     * {@value #ROUNDS} rounds alternate, each of {@value #ROUND_STEPS} steps and {@value #ROUND_SECONDS} s
     * at least; a step of over {@value #SLOW_SECONDS} s makes its warm-up or round one step (a large
     * model is timed in 4 steps a backend, not in minutes).
     */
    static final int WARM_STEPS = 3, ROUNDS = 3, ROUND_STEPS = 2;
    static final double WARM_SECONDS = 0.3, ROUND_SECONDS = 0.15, SLOW_SECONDS = 1;

    /**
     * As {@link #open(String, long)}, except that when auto finds no GPU and the model is large enough
     * for the CPU's OpenCL device, it runs on whichever of that device and the JVM backend ran {@code work}
     * faster on this machine: timed here the first time (a line on {@code notes} says so and with what
     * times), then read from {@link BackendChoices}. Lines on {@code notes}: that, or why the file of
     * choices was ignored or could not be written.
     */
    public static Backend open(String choice, long flopsPerExample, Workload work, Consumer<String> notes) {
        if (!check(choice).equals("auto") || flopsPerExample < CPU_OPENCL_FLOPS) return open(choice, flopsPerExample);
        // one at a time in a JVM (Spark's local workers open theirs together): a second waits for the
        // first's timing and reads its choice, rather than timing both backends while they are busy
        synchronized (MEASURING) {
            return auto(choice, flopsPerExample, work, notes);
        }
    }

    private static final Object MEASURING = new Object();

    private static Backend auto(String choice, long flopsPerExample, Workload work, Consumer<String> notes) {
        JvmBackend jvm = new JvmBackend();
        String machine = machine(jvm);
        BackendChoices choices = BackendChoices.load(BackendChoices.standardFile());
        if (choices.warning() != null) notes.accept(choices.warning());
        BackendChoices.Entry known = choices.get(machine, work.key());
        // The JVM's choice needs no OpenCL platform: listing one loads its driver (PoCL and LLVM: 56 MB
        // of fashion_mlp's peak memory). A GPU's driver installed since changes the machine's key.
        if (known != null && known.chosen().equals(BackendChoices.JVM)) return jvm;
        List<Devices.Device> devices = Devices.list();
        if (devices.isEmpty() || devices.stream().anyMatch(Devices.Device::gpu)) return open(choice, flopsPerExample);
        Devices.Device cpu = devices.get(0);
        if (known != null) return new ClBackend(cpu);
        ClBackend cl = new ClBackend(cpu);
        BackendChoices.Entry measured;
        try {
            measured = measure(cl, jvm, work);
        } catch (RuntimeException | Error e) {
            cl.close();
            throw e;
        }
        boolean openCl = measured.chosen().equals(BackendChoices.OPENCL);
        if (!openCl) cl.close();
        choices.put(machine, work.key(), measured);
        String kept;
        try {
            choices.save();
            kept = "kept in " + choices.file();
        } catch (IOException e) {
            kept = "not kept: " + dln.runtime.io.FileErrors.message(choices.file(), e);
        }
        notes.accept(String.format(Locale.ROOT, "auto timed %s on both of this machine's backends: %.3g ms on OpenCL's %s, %.3g ms on the JVM; "
                + "running on %s from now on (%s)", work.what(), measured.openclMs(), cpu.name(), measured.jvmMs(), openCl ? "OpenCL" : "the JVM", kept));
        return openCl ? cl : jvm;
    }

    /** The choice auto keeps for {@code work} on this machine, or null: what `dlnc bench` says it ran on and why. */
    public static BackendChoices.Entry kept(Workload work) {
        return BackendChoices.load(BackendChoices.standardFile()).get(machine(new JvmBackend()), work.key());
    }

    /**
     * This machine as auto's choices are kept for it, read without loading an OpenCL driver: the
     * processor, the JVM backend (threads, BLAS) and the OpenCL drivers installed (the ICD loader's
     * files, {@code /etc/OpenCL/vendors/*.icd} or where {@code OCL_ICD_VENDORS} points, each with the
     * library it names).
     */
    static String machine(JvmBackend jvm) {
        String cpu = System.getProperty("os.arch");
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse(cpu);
        } catch (IOException | java.io.UncheckedIOException | SecurityException e) {
            // not Linux, or not readable: the architecture names the processor
        }
        return cpu + " & " + jvm.description() + " & OpenCL drivers: " + drivers();
    }

    private static String drivers() {
        String named = System.getenv("OCL_ICD_VENDORS");
        java.nio.file.Path where = java.nio.file.Path.of(named != null && !named.isBlank() ? named : "/etc/OpenCL/vendors");
        List<String> found = new ArrayList<>();
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.isDirectory(where) ? java.nio.file.Files.list(where)
                : java.util.stream.Stream.of(where)) {
            for (java.nio.file.Path f : files.filter(f -> f.toString().endsWith(".icd")).sorted().toList()) {
                byte[] text = java.nio.file.Files.readAllBytes(f);
                found.add(f.getFileName() + " (" + new String(text, 0, Math.min(text.length, 200), java.nio.charset.StandardCharsets.UTF_8).strip() + ")");
            }
        } catch (IOException | java.io.UncheckedIOException | SecurityException e) {
            found.add("unreadable " + where);
        }
        return found.isEmpty() ? "none" : String.join(", ", found);
    }

    /**
     * Times {@code work} on both backends: each warmed up alone (the OpenCL kernels' first launches, the
     * JIT's compilation of the host code), then rounds that alternate between them, so that a noisy
     * moment of the machine falls on both; each backend's best round counts.
     */
    static BackendChoices.Entry measure(Backend openCl, Backend jvm, Workload work) {
        return measure(openCl, jvm, work, SLOW_SECONDS);
    }

    /** {@link #measure}, with steps over {@code slow} seconds counting as slow. */
    static BackendChoices.Entry measure(Backend openCl, Backend jvm, Workload work, double slow) {
        try (Trial a = work.start(openCl); Trial b = work.start(jvm)) {
            warm(a, slow);
            warm(b, slow);
            double ta = Double.POSITIVE_INFINITY, tb = Double.POSITIVE_INFINITY;
            for (int r = 0; r < ROUNDS; r++) {
                ta = Math.min(ta, round(a, slow));
                tb = Math.min(tb, round(b, slow));
            }
            return new BackendChoices.Entry(ta <= tb ? BackendChoices.OPENCL : BackendChoices.JVM, work.batch(), ms(ta), ms(tb));
        }
    }

    private static void warm(Trial t, double slow) {
        run(t, WARM_STEPS, WARM_SECONDS, slow);
    }

    /** Seconds a step, over at least {@value #ROUND_STEPS} steps and {@value #ROUND_SECONDS} s (one slow step). */
    private static double round(Trial t, double slow) {
        long start = System.nanoTime();
        int steps = run(t, ROUND_STEPS, ROUND_SECONDS, slow);
        return seconds(start) / steps;
    }

    /** Runs steps until {@code steps} of them and {@code seconds} have passed, or the first took over {@code slow} s; returns how many. */
    private static int run(Trial t, int steps, double seconds, double slow) {
        long start = System.nanoTime();
        int done = 0;
        do {
            t.step();
            done++;
        } while ((done < steps || seconds(start) < seconds) && !(done == 1 && seconds(start) > slow));
        return done;
    }

    /** Milliseconds to four places (at least 0.0001: a time). */
    private static double ms(double seconds) { return Math.max(1e-4, Math.round(seconds * 1e7) / 1e4); }

    private static double seconds(long start) { return (System.nanoTime() - start) / 1e9; }

    /** The variable that names the device when no option does. */
    public static final String VARIABLE = "DLN_DEVICE";

    /**
     * The choice in canonical form ({@code choice}, else DLN_DEVICE, else auto), when it is one of the
     * words or a device number; whether that device exists is for {@link #open} to say.
     */
    public static String check(String choice) {
        String raw = given(choice) ? choice : System.getenv().getOrDefault(VARIABLE, "auto");
        String c = raw.strip().toLowerCase(Locale.ROOT);
        if (List.of("auto", "gpu", "cpu", "java", "jvm").contains(c) || c.matches("[0-9]{1,9}")) return c;
        throw new NoSuchDevice("unknown device `" + raw + "`" + from(choice) + "; " + choices(Devices.list()));
    }

    private static boolean given(String choice) { return choice != null && !choice.isBlank(); }

    /** Where a choice not given as an option came from. */
    private static String from(String choice) {
        return given(choice) ? "" : " (from " + VARIABLE + ")";
    }

    /** The choices, as `dlnc devices` names them: the words, and this machine's device numbers. */
    public static String choices() { return choices(Devices.list()); }

    private static String choices(List<Devices.Device> devices) {
        StringBuilder s = new StringBuilder("the choices are auto, gpu, cpu, java or a device number from `dlnc devices`");
        if (devices.isEmpty()) return s.append(" (this machine has no OpenCL device: auto and java run on the JVM)").toString();
        s.append(" (here ");
        for (Devices.Device d : devices) s.append(d.index() == 0 ? "" : ", ").append(d.index()).append(": ").append(d.name()).append(d.gpu() ? ", GPU" : ", CPU");
        return s.append(')').toString();
    }

    /**
     * One line on what would make {@code backend} faster when it is the JVM backend for want of
     * an OpenCL device (that `auto` would have taken for this model) or of a native BLAS; null
     * when nothing is missing.
     */
    public static String notice(Backend backend, String choice, long flopsPerExample) {
        if (!(backend instanceof JvmBackend)) return null;
        boolean openCl = check(choice).equals("auto") && flopsPerExample >= CPU_OPENCL_FLOPS && Devices.listedNone();
        boolean blas = !Blas.isNative();
        if (!openCl && !blas) return null;
        String missing = openCl && blas ? "no OpenCL device and no native BLAS" : openCl ? "no OpenCL device" : "no native BLAS";
        String install = (openCl ? " pocl-opencl-icd" : "") + (blas ? " libopenblas0-pthread" : "");
        return missing + " here: running on the JVM backend" + (blas ? " with Java BLAS" : "") + "; for more speed: apt-get install" + install
                + (openCl ? " (or a GPU's OpenCL driver)" : "");
    }

    /** Lines for `dlnc devices`. */
    public static List<String> describe() {
        List<String> out = new ArrayList<>();
        List<Devices.Device> devices = Devices.list();
        if (devices.isEmpty()) {
            out.add("no OpenCL devices (" + (Devices.library() ? "no OpenCL platform found" : "no OpenCL library (libOpenCL.so.1)")
                    + "; for the CPU: apt-get install pocl-opencl-icd)");
        }
        for (Devices.Device d : devices) {
            out.add(String.format(Locale.ROOT, "%d: %s, %.1f GiB", d.index(), d.describe(), d.memory() / (double) (1L << 30)));
            String advice = SignalChaining.advice(d, SignalChaining.active());
            if (advice != null) out.add("   warning: " + advice);
        }
        out.add("java: " + new JvmBackend().description() + (Blas.isNative() ? "" : " (no native BLAS; for faster products: apt-get install libopenblas0-pthread)"));
        String gpu = devices.stream().filter(Devices.Device::gpu).map(d -> d.index() + " (" + d.name() + ")").findFirst().orElse(null);
        if (gpu != null) out.add("default (--device auto, or DLN_DEVICE): " + gpu);
        else if (!devices.isEmpty()) {
            out.add("default (--device auto, or DLN_DEVICE): java for models of under " + CPU_OPENCL_FLOPS / 1000 + "k FLOPs per example; for larger ones "
                    + "0 or java, whichever ran the model faster when auto timed both (once per model, kept in " + BackendChoices.standardFile() + ")");
        }
        else out.add("default (--device auto, or DLN_DEVICE): java");
        return out;
    }
}
