package dln.runtime.cl;

import dln.runtime.io.CacheFile;
import dln.runtime.io.JsonText;
import dln.runtime.kernel.Choice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The block sizes that a tuner ({@link Tuner}, `dlnc bench --tune`) chose, for each OpenCL device
 * ({@link Devices.Device#key}: its name, platform and driver version) and each kernel shape
 * ({@code Tunable.shape()}), with the times that chose them. One JSON file, written atomically:
 * {@code $XDG_CACHE_HOME/dln/tuning.json}, by default {@code ~/.cache/dln/tuning.json}, or the file
 * that the system property {@value #PROPERTY} or else the variable {@value #VARIABLE} names.
 *
 * <p>A file that cannot be read or is not what this class writes is ignored, with one line of
 * warning ({@link #warning}), and the next tuning replaces it: every choice computes the same results,
 * so a lost cache costs speed, never a run.
 */
public final class TuningCache {
    public static final String PROPERTY = "dln.tuning.cache", VARIABLE = "DLN_TUNING_CACHE";
    private static final String FORMAT = "dln tuning cache 1";

    /** A kernel shape's chosen block sizes, the batch they were timed at, and the median milliseconds of a launch with the defaults and with the choice. */
    public record Entry(Choice choice, int batch, double defaultMs, double chosenMs) {}

    private final Path file;
    private final SortedMap<String, SortedMap<String, Entry>> devices;
    private final String warning;

    private TuningCache(Path file, SortedMap<String, SortedMap<String, Entry>> devices, String warning) {
        this.file = file;
        this.devices = devices;
        this.warning = warning;
    }

    /** The cache file: the system property, else the variable, else under the user's cache folder. */
    public static Path standardFile() { return CacheFile.standard(PROPERTY, VARIABLE, "tuning.json"); }

    /** The cache in {@code file}: empty when there is none, and empty with a warning when it cannot be read or parsed. */
    public static TuningCache load(Path file) {
        SortedMap<String, SortedMap<String, Entry>> devices = new TreeMap<>();
        try {
            CacheFile.read(file, FORMAT, "a tuning cache", json -> read(json, devices));
            return new TuningCache(file, devices, null);
        } catch (CacheFile.Unusable e) {
            return new TuningCache(file, new TreeMap<>(), "ignoring the kernel tuning cache, " + e.getMessage()
                    + " (the kernels build with their default block sizes; `dlnc bench --tune` writes a new one)");
        }
    }

    @SuppressWarnings("unchecked")
    private static void read(Map<String, Object> json, SortedMap<String, SortedMap<String, Entry>> devices) {
        Map<String, Object> all = (Map<String, Object>) json.get("devices");
        all.forEach((device, shapes) -> {
            SortedMap<String, Entry> entries = new TreeMap<>();
            ((Map<String, Object>) shapes).forEach((shape, e) -> entries.put(shape, entry((Map<String, Object>) e)));
            devices.put(device, entries);
        });
    }

    @SuppressWarnings("unchecked")
    private static Entry entry(Map<String, Object> e) {
        SortedMap<String, Integer> values = new TreeMap<>();
        ((Map<String, Object>) e.get("choice")).forEach((name, v) -> values.put(name, whole((Double) v, name)));
        return new Entry(new Choice(values), whole((Double) e.get("batch"), "batch"), (Double) e.get("default_ms"), (Double) e.get("chosen_ms"));
    }

    private static int whole(double v, String what) {
        if (v != Math.rint(v) || v < 1 || v > 1 << 20) throw new IllegalArgumentException(what + " is " + v + ", not a whole number from 1");
        return (int) v;
    }

    public Path file() { return file; }

    /** One line that says why the file was ignored; null when it was read, or there was none. */
    public String warning() { return warning; }

    /** The chosen block sizes of each kernel shape on {@code device}. */
    public Map<String, Entry> entries(String device) { return Map.copyOf(devices.getOrDefault(device, new TreeMap<>())); }

    public void put(String device, String shape, Entry entry) {
        devices.computeIfAbsent(device, d -> new TreeMap<>()).put(shape, entry);
    }

    /** Writes the cache to its file, atomically, making its folder if need be. */
    public void save() throws IOException { CacheFile.write(file, json()); }

    /** The file's text: sorted, so that the same choices give the same bytes. */
    String json() {
        StringBuilder out = new StringBuilder("{\n  \"format\": ").append(JsonText.quote(FORMAT)).append(",\n  \"devices\": {");
        String deviceComma = "";
        for (Map.Entry<String, SortedMap<String, Entry>> d : devices.entrySet()) {
            out.append(deviceComma).append("\n    ").append(JsonText.quote(d.getKey())).append(": {");
            String shapeComma = "";
            for (Map.Entry<String, Entry> s : d.getValue().entrySet()) {
                Entry e = s.getValue();
                List<String> values = e.choice().values().entrySet().stream().map(v -> JsonText.quote(v.getKey()) + ": " + v.getValue()).toList();
                out.append(shapeComma).append("\n      ").append(JsonText.quote(s.getKey())).append(": {")
                        .append("\"choice\": {").append(String.join(", ", values)).append("}, ")
                        .append(String.format(Locale.ROOT, "\"batch\": %d, \"default_ms\": %.4f, \"chosen_ms\": %.4f}", e.batch(), e.defaultMs(), e.chosenMs()));
                shapeComma = ",";
            }
            out.append("\n    }");
            deviceComma = ",";
        }
        return out.append("\n  }\n}\n").toString();
    }
}
