package dln.runtime;

import dln.runtime.kernel.Kernel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A backend that times every kernel by waiting after each launch, and every write of inputs and
 * read of outputs (kinds {@link #WRITE} and {@link #READ}): for finding where a model's time goes
 * (`dlnc bench --profile`), never for normal runs, since the waits themselves cost time.
 */
public final class Profiler implements Backend {
    private final Backend inner;
    private final Map<String, long[]> byKind = new LinkedHashMap<>();
    private final Map<String, long[]> byName = new LinkedHashMap<>();
    private final Map<String, String> kinds = new LinkedHashMap<>();

    public Profiler(Backend inner) { this.inner = inner; }

    @Override public String description() { return inner.description() + ", profiled"; }
    @Override public Buffer allocate(long floats) { return inner.allocate(floats); }
    @Override public void write(Buffer dst, float[] src, int from, int count) { timed(WRITE, "upload", () -> inner.write(dst, src, from, count)); }
    @Override public void write(Buffer dst, byte[] src, int from, int count, float[] table) {
        timed(WRITE, "upload (bytes converted)", () -> inner.write(dst, src, from, count, table));
    }
    @Override public void read(Buffer src, float[] dst, int to, int count) { timed(READ, "download", () -> inner.read(src, dst, to, count)); }
    @Override public void compile(java.util.function.Supplier<String> program, List<Kernel> kernels) { inner.compile(program, kernels); }
    @Override public void finish() { inner.finish(); }
    @Override public void close() { inner.close(); }

    /** The kinds under which the host's writes to buffers and reads from them are counted, beside the kernels. */
    static final String WRITE = "(write)", READ = "(read)";

    @Override public void launch(Kernel kernel, int batch, int step, Buffer... args) {
        timed(kernel.getClass().getSimpleName(), kernel.name(), () -> inner.launch(kernel, batch, step, args));
    }

    /** Runs {@code work} alone (what was queued before it finished first, it finished after) and counts its time. */
    private void timed(String kind, String name, Runnable work) {
        inner.finish();
        long start = System.nanoTime();
        work.run();
        inner.finish();
        long took = System.nanoTime() - start;
        for (long[] t : List.of(byKind.computeIfAbsent(kind, k -> new long[2]), byName.computeIfAbsent(name, k -> new long[2]))) {
            t[0] += took;
            t[1]++;
        }
        kinds.putIfAbsent(name, kind);
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
