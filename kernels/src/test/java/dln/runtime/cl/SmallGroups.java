package dln.runtime.cl;

import java.util.List;

/**
 * The tests' OpenCL device taken to allow fewer work-items in a group than it does: what a GPU whose
 * kernels are limited to 64 or 128 work-items (or a smaller device) makes of the kernels, on PoCL.
 */
public final class SmallGroups {
    private SmallGroups() {}

    /** A backend on the first OpenCL device (DLN_TEST_DEVICE picks another) allowing at most {@code maxGroup}; null when DLN_SKIP_OPENCL=1. */
    public static ClBackend backend(long maxGroup) {
        if ("1".equals(System.getenv("DLN_SKIP_OPENCL"))) return null;
        List<Devices.Device> devices = Devices.list();
        if (devices.isEmpty()) throw new AssertionError("no OpenCL device: install one or set DLN_SKIP_OPENCL=1");
        String choice = System.getenv("DLN_TEST_DEVICE");
        return new ClBackend(devices.get(choice == null ? 0 : Integer.parseInt(choice)), TuningCache.load(TuningCache.standardFile()), maxGroup);
    }

    /** The work-group size {@code k} launches with on {@code backend}, after its compile. */
    public static long[] local(ClBackend backend, dln.runtime.kernel.Kernel k) { return backend.local(k); }
}
