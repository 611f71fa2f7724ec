package dln.runtime;

import dln.runtime.kernel.Kernel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A backend that times every kernel by waiting after each launch: for finding where a model's
 * time goes (`dlnc bench --profile`), never for normal runs, since the waits themselves cost time.
 */
public final class Profiler implements Backend {
    private final Backend inner;
    private final Map<String, long[]> byKind = new LinkedHashMap<>();
    private final Map<String, long[]> byName = new LinkedHashMap<>();
    private final Map<String, String> kinds = new LinkedHashMap<>();

    public Profiler(Backend inner) { this.inner = inner; }

    @Override public String description() { return inner.description() + ", profiled"; }
    @Override public Buffer allocate(long floats) { return inner.allocate(floats); }
    @Override public void write(Buffer dst, float[] src, int from, int count) { inner.write(dst, src, from, count); }
    @Override public void write(Buffer dst, byte[] src, int from, int count, float[] table) { inner.write(dst, src, from, count, table); }
    @Override public void read(Buffer src, float[] dst, int to, int count) { inner.read(src, dst, to, count); }
    @Override public void compile(java.util.function.Supplier<String> program, List<Kernel> kernels) { inner.compile(program, kernels); }
    @Override public void finish() { inner.finish(); }
    @Override public void close() { inner.close(); }

    @Override public void launch(Kernel kernel, int batch, int step, Buffer... args) {
        inner.finish();
        long start = System.nanoTime();
        inner.launch(kernel, batch, step, args);
        inner.finish();
        long took = System.nanoTime() - start;
        for (long[] t : List.of(byKind.computeIfAbsent(kernel.getClass().getSimpleName(), k -> new long[2]),
                byName.computeIfAbsent(kernel.name(), k -> new long[2]))) {
            t[0] += took;
            t[1]++;
        }
        kinds.putIfAbsent(kernel.name(), kernel.getClass().getSimpleName());
    }

    public void reset() {
        byKind.clear();
        byName.clear();
        kinds.clear();
    }

    /** One line per kernel kind, slowest first: total time, share, launches. */
    public List<String> report() {
        long total = byKind.values().stream().mapToLong(t -> t[0]).sum();
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(byKind.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        List<String> out = new ArrayList<>();
        for (var e : rows) {
            out.add(String.format(Locale.ROOT, "  %-20s %9.1f ms %5.1f%%  %6d launches", e.getKey(), e.getValue()[0] / 1e6,
                    100.0 * e.getValue()[0] / Math.max(1, total), e.getValue()[1]));
        }
        return out;
    }

    /** The {@code count} slowest kernels by total time, one line each: name, kind, time per launch, share. */
    public List<String> slowest(int count) {
        long total = byName.values().stream().mapToLong(t -> t[0]).sum();
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(byName.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        List<String> out = new ArrayList<>();
        for (var e : rows.subList(0, Math.min(count, rows.size()))) {
            out.add(String.format(Locale.ROOT, "  %-28s %-20s %8.3f ms a launch %5.1f%%", e.getKey(), kinds.get(e.getKey()),
                    e.getValue()[0] / 1e6 / e.getValue()[1], 100.0 * e.getValue()[0] / Math.max(1, total)));
        }
        return out;
    }
}
