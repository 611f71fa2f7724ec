package dln.runtime.kernel;

import java.util.List;

/**
 * One kernel of a compiled model: an op instance with every size fixed but the batch. Each kernel is
 * complete: its Java reference implementation (what the JVM backend runs, and what the OpenCL
 * kernel is tested against) and its OpenCL C source. Buffers are row-major, batch first (PyTorch
 * layout); the batch size and a step counter come with every launch.
 */
public interface Kernel {

    /** The OpenCL kernel function's name: a C identifier, unique in its program. */
    String name();

    /** What each buffer argument is, in launch order: `x`, `weight`, `y`. */
    List<String> args();

    /** Runs the kernel on the JVM; {@code bufs} are the buffer arguments in launch order. */
    void reference(int batch, int step, float[][] bufs);

    /**
     * Appends the OpenCL C source: helper functions first if any (named after {@link #name()} so
     * that kernels never clash), then {@code __kernel void name(buffers..., const int batch, const int step)}.
     */
    void opencl(C out);

    /** The global work size for this batch; an empty range (a zero) means nothing to do. */
    long[] global(int batch);

    /**
     * The work-group size asked for, or null to let the OpenCL implementation choose. The OpenCL
     * backend fits it to the device's limits unless the kernel shares work across its group (see
     * {@code dln.runtime.cl.GroupSizes}); the global size is rounded up to it.
     */
    default long[] local() { return null; }
}
