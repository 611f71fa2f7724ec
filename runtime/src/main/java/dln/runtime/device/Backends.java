package dln.runtime.device;

import dln.runtime.Backend;
import dln.runtime.cl.ClBackend;
import dln.runtime.cl.Devices;
import dln.runtime.cl.SignalChaining;
import dln.runtime.host.Blas;
import dln.runtime.jvm.JvmBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses where models run: `--device gpu|cpu|java|auto|<index>`, else the DLN_DEVICE environment
 * variable, else auto. Auto takes the first OpenCL GPU. Without one it takes the CPU's OpenCL
 * device for models of at least {@link #CPU_OPENCL_FLOPS} forward FLOPs per example and the JVM
 * backend for smaller ones: measured here (docs/RUNTIME.md), PoCL's kernels are 2 to 5 times faster
 * than the JVM backend on LeNet-5 and an MLP, while its ~3 µs launch cost per kernel loses on tiny
 * models such as XOR, where the JVM backend is about 10 times faster.
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
        boolean openCl = check(choice).equals("auto") && flopsPerExample >= CPU_OPENCL_FLOPS && Devices.list().isEmpty();
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
        else if (!devices.isEmpty()) out.add("default (--device auto, or DLN_DEVICE): 0 for models of " + CPU_OPENCL_FLOPS / 1000 + "k FLOPs per example or more, java for smaller ones");
        else out.add("default (--device auto, or DLN_DEVICE): java");
        return out;
    }
}
