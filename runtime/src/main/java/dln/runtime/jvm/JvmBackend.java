package dln.runtime.jvm;

import dln.runtime.Backend;
import dln.runtime.Buffer;
import dln.runtime.data.Values;
import dln.runtime.host.Blas;
import dln.runtime.host.Team;
import dln.runtime.kernel.Kernel;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs every kernel's Java reference implementation, in order, on the calling thread (kernels
 * parallelize inside, and matrix products go through BLAS). Needs no OpenCL at all.
 */
public final class JvmBackend implements Backend {

    /** A JVM buffer is a float array. */
    public record Array(float[] data) implements Buffer {
        public long size() { return data.length; }
    }

    @Override public String description() {
        return "java (" + Runtime.getRuntime().availableProcessors() + " threads, BLAS: " + Blas.name() + ")";
    }

    @Override public Buffer allocate(long floats) {
        if (floats > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("a JVM buffer holds at most 2^31 floats, not " + floats);
        return new Array(new float[(int) floats]);
    }

    @Override public void write(Buffer dst, float[] src, int from, int count) {
        System.arraycopy(src, from, data(dst), 0, count);
    }

    /**
     * Bytes converted in one part per thread from this many on: a table lookup per byte that the JIT
     * cannot vectorize (about 0.07 ms for a batch of 256 Fashion-MNIST images on one core, a seventh of
     * the MLP's prediction batch), against a few µs to hand a part to the team's spinning workers.
     */
    static final int SHARED_BYTES = 1 << 16;

    /** Converts straight into the buffer, which is host memory. */
    @Override public void write(Buffer dst, byte[] src, int from, int count, float[] table) {
        float[] d = data(dst);
        Values.Bytes bytes = new Values.Bytes(src, table);
        int parts = count < SHARED_BYTES ? 1 : Team.threads();
        if (parts == 1) {
            bytes.copy(from, d, 0, count);
            return;
        }
        Team.run(parts, p -> {
            int start = (int) ((long) count * p / parts), end = (int) ((long) count * (p + 1) / parts);
            bytes.copy(from + start, d, start, end - start);
        });
    }

    @Override public void read(Buffer src, float[] dst, int to, int count) {
        System.arraycopy(data(src), 0, dst, to, count);
    }

    @Override public void compile(Supplier<String> program, List<Kernel> kernels) {}

    @Override public void launch(Kernel kernel, int batch, int step, Buffer... args) {
        float[][] bufs = new float[args.length][];
        for (int i = 0; i < args.length; i++) bufs[i] = data(args[i]);
        kernel.reference(batch, step, bufs);
    }

    @Override public void finish() {}

    @Override public void close() {}

    private static float[] data(Buffer b) {
        return ((Array) b).data();
    }
}
