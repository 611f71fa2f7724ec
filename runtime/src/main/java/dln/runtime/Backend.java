package dln.runtime;

import dln.runtime.kernel.Kernel;
import dln.runtime.kernel.Program;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where kernels run. Launches are queued in order and return at once: the only host waits are
 * {@link #read} and {@link #finish}, so a whole training step runs without the host in the loop.
 * Kernel arguments are the buffers in the order the kernel lists them, then the batch size and a
 * step counter (the time step of a recurrent layer, the training step for dropout's generator).
 */
public interface Backend extends AutoCloseable {

    /** One line for people: `java (4 threads, native BLAS)`, `opencl: NVIDIA H100 (GPU)`. */
    String description();

    /** A buffer of {@code floats} zeros. */
    Buffer allocate(long floats);

    /**
     * Copies {@code count} floats of {@code src} from index {@code from} into the start of {@code dst},
     * queued in order with the launches. The host array may change as soon as this returns.
     */
    void write(Buffer dst, float[] src, int from, int count);

    /** Copies all of {@code src} into the start of {@code dst}. */
    default void write(Buffer dst, float[] src) { write(dst, src, 0, src.length); }

    /**
     * Writes into the start of {@code dst} the floats that {@code count} bytes of {@code src} from
     * index {@code from} stand for, {@code table[b & 0xff]} (an IDX file's pixels with their scale),
     * queued like {@link #write(Buffer, float[], int, int)}: the same floats as converting on the host
     * and writing those. This converts on the host; an OpenCL device is sent the bytes, a quarter of
     * the floats, and converts them itself.
     */
    default void write(Buffer dst, byte[] src, int from, int count, float[] table) {
        if (table.length != 256) throw new IllegalArgumentException("a byte table has 256 entries, not " + table.length);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) values[i] = table[src[from + i] & 0xff];
        write(dst, values, 0, count);
    }

    /** Waits for the queued work, then copies the first {@code count} floats of {@code src} into {@code dst} from index {@code to}. */
    void read(Buffer src, float[] dst, int to, int count);

    /** Waits for the queued work, then fills {@code dst} from the start of {@code src}. */
    default void read(Buffer src, float[] dst) { read(src, dst, 0, dst.length); }

    /**
     * Prepares the kernels for launching from the OpenCL program that holds them: on OpenCL, builds
     * {@code program}'s text (cached by its hash) and finds each kernel in it by name; the JVM runs
     * the kernels' references and never asks for the text. A generated model passes the `.cl` file
     * that dlnc emitted beside it, so what runs is what was emitted.
     */
    void compile(Supplier<String> program, List<Kernel> kernels);

    /** Prepares kernels from a program made of their own sources (for kernels that no model emitted: tests, benchmarks). */
    default void compile(List<Kernel> kernels) { compile(() -> Program.source("kernels", kernels), kernels); }

    void launch(Kernel kernel, int batch, int step, Buffer... args);

    /** Waits until every queued launch has run. */
    void finish();

    @Override void close();
}
