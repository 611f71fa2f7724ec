package dln.runtime;

import dln.runtime.cl.ClBackend;
import dln.runtime.cl.Devices;
import dln.runtime.cl.SignalChaining;
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
        String c = choice == null || choice.isBlank() ? System.getenv().getOrDefault("DLN_DEVICE", "auto") : choice;
        c = c.strip().toLowerCase(Locale.ROOT);
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
                throw new NoSuchDevice("no OpenCL " + c.toUpperCase(Locale.ROOT) + " device here" + (devices.isEmpty()
                        ? " (no OpenCL platform at all: install a driver, or pocl-opencl-icd for the CPU)" : "; `dlnc devices` lists what there is"));
            }
            default -> {
                int index;
                try {
                    index = Integer.parseInt(c);
                } catch (NumberFormatException e) {
                    throw new NoSuchDevice("unknown device `" + choice + "`: use gpu, cpu, java, auto or a number from `dlnc devices`");
                }
                if (index < 0 || index >= devices.size()) {
                    throw new NoSuchDevice("there is no OpenCL device " + index + " (there " + (devices.size() == 1 ? "is 1" : "are " + devices.size()) + "); `dlnc devices` lists them");
                }
                return new ClBackend(devices.get(index));
            }
        }
    }

    /** Lines for `dlnc devices`. */
    public static List<String> describe() {
        List<String> out = new ArrayList<>();
        List<Devices.Device> devices = Devices.list();
        if (devices.isEmpty()) out.add("no OpenCL devices (no OpenCL platform found; for the CPU: apt-get install pocl-opencl-icd)");
        for (Devices.Device d : devices) {
            out.add(String.format(Locale.ROOT, "%d: %s, %.1f GiB", d.index(), d.describe(), d.memory() / (double) (1L << 30)));
            String advice = SignalChaining.advice(d, SignalChaining.active());
            if (advice != null) out.add("   warning: " + advice);
        }
        out.add("java: " + new JvmBackend().description());
        String gpu = devices.stream().filter(Devices.Device::gpu).map(d -> d.index() + " (" + d.name() + ")").findFirst().orElse(null);
        if (gpu != null) out.add("default (--device auto, or DLN_DEVICE): " + gpu);
        else if (!devices.isEmpty()) out.add("default (--device auto, or DLN_DEVICE): 0 for models of " + CPU_OPENCL_FLOPS / 1000 + "k FLOPs per example or more, java for smaller ones");
        else out.add("default (--device auto, or DLN_DEVICE): java");
        return out;
    }
}
