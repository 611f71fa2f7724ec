package dln.runtime.device;

import dln.runtime.io.CacheFile;
import dln.runtime.io.JsonText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What `auto` measured when a machine's only OpenCL device is its CPU: for each machine (that device
 * and the JVM backend as {@link Backends#machine} names them) and each model ({@link Backends.Workload#key}),
 * which of the two ran the model faster, with the times that chose it. One JSON file beside the kernel
 * tuning cache, written atomically: {@code $XDG_CACHE_HOME/dln/backends.json}, by default
 * {@code ~/.cache/dln/backends.json}, or the file that the system property {@value #PROPERTY} or else the
 * variable {@value #VARIABLE} names.
 *
 * <p>A file that cannot be read or is not what this class writes is ignored, with one line of warning
 * ({@link #warning}), and the next measurement replaces it: both backends compute the same results, so a
 * lost choice costs one more measurement, never a run.
 */
public final class BackendChoices {
    public static final String PROPERTY = "dln.backend.cache", VARIABLE = "DLN_BACKEND_CACHE";
    private static final String FORMAT = "dln backend choices 1";

    /** The backend chosen ({@link #OPENCL} or {@link #JVM}), the batch both were timed at, and the milliseconds of a step on each. */
    public record Entry(String chosen, int batch, double openclMs, double jvmMs) {
        public Entry {
            if (!chosen.equals(OPENCL) && !chosen.equals(JVM)) throw new IllegalArgumentException("chosen is \"" + chosen + "\", not opencl or java");
        }
    }

    public static final String OPENCL = "opencl", JVM = "java";

    private final Path file;
    private final SortedMap<String, SortedMap<String, Entry>> machines;
    private final String warning;

    private BackendChoices(Path file, SortedMap<String, SortedMap<String, Entry>> machines, String warning) {
        this.file = file;
        this.machines = machines;
        this.warning = warning;
    }

    /** The file: the system property, else the variable, else under the user's cache folder. */
    public static Path standardFile() { return CacheFile.standard(PROPERTY, VARIABLE, "backends.json"); }

    /** The choices in {@code file}: none when there is no file, and none with a warning when it cannot be read or parsed. */
    public static BackendChoices load(Path file) {
        SortedMap<String, SortedMap<String, Entry>> machines = new TreeMap<>();
        try {
            CacheFile.read(file, FORMAT, "a file of backend choices", json -> read(json, machines));
            return new BackendChoices(file, machines, null);
        } catch (CacheFile.Unusable e) {
            return new BackendChoices(file, new TreeMap<>(), "ignoring the measured backend choices, " + e.getMessage()
                    + " (auto measures the model again and writes a new file)");
        }
    }

    @SuppressWarnings("unchecked")
    private static void read(Map<String, Object> json, SortedMap<String, SortedMap<String, Entry>> machines) {
        ((Map<String, Object>) json.get("machines")).forEach((machine, models) -> {
            SortedMap<String, Entry> entries = new TreeMap<>();
            ((Map<String, Object>) models).forEach((model, e) -> entries.put(model, entry((Map<String, Object>) e)));
            machines.put(machine, entries);
        });
    }

    @SuppressWarnings("unchecked")
    private static Entry entry(Map<String, Object> e) {
        double batch = (Double) e.get("batch");
        if (batch != Math.rint(batch) || batch < 1 || batch > 1 << 24) throw new IllegalArgumentException("batch is " + batch + ", not a whole number from 1");
        return new Entry((String) e.get("chosen"), (int) batch, positive(e, "opencl_ms"), positive(e, "java_ms"));
    }

    private static double positive(Map<String, Object> e, String name) {
        double v = (Double) e.get(name);
        if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(name + " is " + v + ", not a time");
        return v;
    }

    public Path file() { return file; }

    /** One line that says why the file was ignored; null when it was read, or there was none. */
    public String warning() { return warning; }

    /** The choice for {@code model} on {@code machine}; null when none was measured. */
    public Entry get(String machine, String model) {
        SortedMap<String, Entry> models = machines.get(machine);
        return models == null ? null : models.get(model);
    }

    public void put(String machine, String model, Entry entry) {
        machines.computeIfAbsent(machine, m -> new TreeMap<>()).put(model, entry);
    }

    /** Writes the choices to their file, atomically, making its folder if need be. */
    public void save() throws IOException { CacheFile.write(file, json()); }

    /** The file's text: sorted, so that the same choices give the same bytes. */
    String json() {
        StringBuilder out = new StringBuilder("{\n  \"format\": ").append(JsonText.quote(FORMAT)).append(",\n  \"machines\": {");
        String machineComma = "";
        for (Map.Entry<String, SortedMap<String, Entry>> m : machines.entrySet()) {
            out.append(machineComma).append("\n    ").append(JsonText.quote(m.getKey())).append(": {");
            String modelComma = "";
            for (Map.Entry<String, Entry> s : m.getValue().entrySet()) {
                Entry e = s.getValue();
                out.append(modelComma).append("\n      ").append(JsonText.quote(s.getKey())).append(": ")
                        .append(String.format(Locale.ROOT, "{\"chosen\": %s, \"batch\": %d, \"opencl_ms\": %s, \"java_ms\": %s}",
                                JsonText.quote(e.chosen()), e.batch(), e.openclMs(), e.jvmMs()));
                modelComma = ",";
            }
            out.append("\n    }");
            machineComma = ",";
        }
        return out.append("\n  }\n}\n").toString();
    }
}
