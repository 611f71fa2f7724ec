package dln.runtime;

import dln.runtime.cl.ClBackend;
import dln.runtime.cl.Devices;
import dln.runtime.jvm.JvmBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses where models run: `--device gpu|cpu|java|auto|<index>`, else the DLN_DEVICE environment
 * variable, else auto. Auto takes the first OpenCL GPU; without one it takes the JVM backend,
 * because on the CPUs measured (see docs/RUNTIME.md) the JVM backend with native BLAS trains and
 * predicts faster than PoCL's CPU device. When there is no OpenCL at all it says so once.
 */
public final class Backends {
    private Backends() {}

    /** A choice that names no device here. */
    public static final class NoSuchDevice extends RuntimeException {
        NoSuchDevice(String message) { super(message); }
    }

    public static Backend open(String choice) {
        String c = choice == null || choice.isBlank() ? System.getenv().getOrDefault("DLN_DEVICE", "auto") : choice;
        c = c.strip().toLowerCase(Locale.ROOT);
        if (c.equals("java") || c.equals("jvm")) return new JvmBackend();
        List<Devices.Device> devices = Devices.list();
        switch (c) {
            case "auto" -> {
                for (Devices.Device d : devices) if (d.gpu()) return new ClBackend(d);
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
        }
        out.add("java: " + new JvmBackend().description());
        String auto = devices.stream().filter(Devices.Device::gpu).map(d -> d.index() + " (" + d.name() + ")").findFirst().orElse("java");
        out.add("default (--device auto, or DLN_DEVICE): " + auto);
        return out;
    }
}
