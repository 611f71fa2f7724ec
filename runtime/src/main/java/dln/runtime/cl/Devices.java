package dln.runtime.cl;

import static org.jocl.CL.*;

import dln.runtime.host.NativeLibraries;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** The OpenCL devices of this machine, GPUs first, found through JOCL. */
public final class Devices {
    private Devices() {}

    /** One device; {@code driver} is its CL_DRIVER_VERSION. */
    public record Device(int index, cl_platform_id platform, cl_device_id id, String platformName, String name,
                         boolean gpu, int computeUnits, long memory, String driver) {
        public String describe() {
            return name + " (" + (gpu ? "GPU" : "CPU") + ", " + platformName + ", " + computeUnits + " compute units)";
        }

        /** What tuned choices are kept under: the device, its platform and its driver's version (a new driver may want others). */
        public String key() { return name + " | " + platformName + " | " + driver; }
    }

    /** Whether the OpenCL library (the ICD loader) loads; looked for once, before JOCL would print its own failure. */
    private static final boolean LIBRARY = !NativeLibraries.probed() || NativeLibraries.load("libOpenCL.so.1", "libOpenCL.so") != null;

    /** Whether there is an OpenCL library at all: without one there are no devices, and JOCL is never called. */
    public static boolean library() { return LIBRARY; }

    /** What {@link #list} last found in this process; null before it is called. */
    private static volatile List<Device> listed;

    /**
     * Whether this process knows there is no OpenCL device: no library, or none when last listed;
     * false when {@link #list} has not been called (listing loads the platforms' drivers).
     */
    public static boolean listedNone() {
        List<Device> l = listed;
        return !LIBRARY || l != null && l.isEmpty();
    }

    /** Every OpenCL device, GPUs first; empty when there is no OpenCL library or platform. */
    public static List<Device> list() {
        List<Device> l = find();
        listed = l;
        return l;
    }

    private static List<Device> find() {
        if (!LIBRARY) return List.of();
        List<Device> gpus = new ArrayList<>(), others = new ArrayList<>();
        try {
            setExceptionsEnabled(true);
            int[] count = new int[1];
            clGetPlatformIDs(0, null, count);
            cl_platform_id[] platforms = new cl_platform_id[count[0]];
            clGetPlatformIDs(platforms.length, platforms, null);
            for (cl_platform_id p : platforms) {
                int[] n = new int[1];
                try {
                    clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, n);
                } catch (RuntimeException noDevices) {
                    continue;
                }
                cl_device_id[] ids = new cl_device_id[n[0]];
                clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, ids.length, ids, null);
                for (cl_device_id id : ids) {
                    long type = longInfo(id, CL_DEVICE_TYPE);
                    boolean gpu = (type & CL_DEVICE_TYPE_GPU) != 0;
                    Device d = new Device(0, p, id, platformString(p, CL_PLATFORM_NAME), deviceString(id, CL_DEVICE_NAME), gpu,
                            (int) intInfo(id, CL_DEVICE_MAX_COMPUTE_UNITS), longInfo(id, CL_DEVICE_GLOBAL_MEM_SIZE), deviceString(id, CL_DRIVER_VERSION));
                    (gpu ? gpus : others).add(d);
                }
            }
        } catch (UnsatisfiedLinkError | RuntimeException noOpenCl) {
            return List.of();
        }
        List<Device> all = new ArrayList<>(gpus);
        all.addAll(others);
        List<Device> numbered = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Device d = all.get(i);
            numbered.add(new Device(i, d.platform(), d.id(), d.platformName(), d.name(), d.gpu(), d.computeUnits(), d.memory(), d.driver()));
        }
        return numbered;
    }

    /** A device's own limits on work-groups: the per-kernel ones join them as kernels are built. */
    static GroupSizes.Limits limits(cl_device_id id) {
        int dimensions = (int) intInfo(id, CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS);
        long[] perDimension = new long[dimensions];
        clGetDeviceInfo(id, CL_DEVICE_MAX_WORK_ITEM_SIZES, (long) Sizeof.size_t * dimensions, Pointer.to(perDimension), null);
        long[] total = new long[1];
        clGetDeviceInfo(id, CL_DEVICE_MAX_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(total), null);
        return new GroupSizes.Limits(perDimension, total[0], 1, longInfo(id, CL_DEVICE_LOCAL_MEM_SIZE), 0);
    }

    private static String deviceString(cl_device_id id, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(id, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetDeviceInfo(id, param, b.length, Pointer.to(b), null);
        return new String(b, StandardCharsets.UTF_8).replace("\0", "").strip();
    }

    private static String platformString(cl_platform_id id, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(id, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetPlatformInfo(id, param, b.length, Pointer.to(b), null);
        return new String(b, StandardCharsets.UTF_8).replace("\0", "").strip();
    }

    private static long longInfo(cl_device_id id, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(id, param, 8, Pointer.to(v), null);
        return v[0];
    }

    private static long intInfo(cl_device_id id, int param) {
        int[] v = new int[1];
        clGetDeviceInfo(id, param, 4, Pointer.to(v), null);
        return v[0];
    }
}
