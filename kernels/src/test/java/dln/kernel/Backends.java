package dln.kernel;

import dln.runtime.Backend;
import dln.runtime.cl.ClBackend;
import dln.runtime.cl.Devices;
import dln.runtime.jvm.JvmBackend;
import java.util.List;

/**
 * The backends tests run kernels on. The OpenCL device is real (PoCL on the CPU in CI); without
 * one the tests fail, unless DLN_SKIP_OPENCL=1 says this machine has none on purpose.
 */
public final class Backends {
    private static Backend opencl;

    private Backends() {}

    public static Backend jvm() { return new JvmBackend(); }

    /** The first OpenCL device (a GPU if there is one), shared by the tests; null when skipped. */
    public static synchronized Backend opencl() {
        if (opencl != null) return opencl;
        if ("1".equals(System.getenv("DLN_SKIP_OPENCL"))) return null;
        List<Devices.Device> devices = Devices.list();
        if (devices.isEmpty()) {
            throw new AssertionError("no OpenCL device: install one (apt-get install pocl-opencl-icd ocl-icd-opencl-dev)"
                    + " or set DLN_SKIP_OPENCL=1 to skip the OpenCL tests");
        }
        String choice = System.getenv("DLN_TEST_DEVICE");
        opencl = new ClBackend(devices.get(choice == null ? 0 : Integer.parseInt(choice)));
        return opencl;
    }
}
