package dln.runtime.cl;

import dln.runtime.kernel.Program;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * The work-group size a kernel launches with, from what the device allows. A kernel asks for a size
 * ({@code Kernel.local()}); the device answers with limits: CL_DEVICE_MAX_WORK_ITEM_SIZES per
 * dimension, CL_DEVICE_MAX_WORK_GROUP_SIZE and, per built kernel, CL_KERNEL_WORK_GROUP_SIZE (less on
 * a GPU whose registers the kernel fills) in all, CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE (a
 * warp or wavefront, a CPU's vector width) and the local memory.
 *
 * <ul>
 * <li>A kernel whose work-items never look at their group (no barrier, local memory, local or group
 *     id: one work-item per element, or per register block; or a tunable kernel whose block sizes
 *     compile its group code out, {@code Tunable.groupFree}) gives the same results with any group.
 *     Its size is clamped to the limits, halving the largest dimension until it fits, and then grown
 *     (doubling the first dimension while it fits) to a multiple of the preferred multiple, so that a
 *     GPU runs no half-empty warps: the 4 × 4 blocks of the matrix products become 8 × 4 on a device
 *     that prefers 32. The backend rounds the global size up to it, and the kernel checks its id.
 * <li>A reducing kernel (a tree sum over its group; its source names the group size only as
 *     {@code DLN_REDUCE}) runs with groups of 256 where the device allows them, else of the largest
 *     power of two it allows ({@link #reduction}): the backend builds the program with that size as
 *     a build option, and the tree adds up the same values in another shape (so the bits may differ
 *     from another device's, never from run to run).
 * <li>Any other kernel that shares work across its group (the recurrent layers' groups) runs only
 *     with its own size: on a device that allows less, or has too little local memory, the model
 *     cannot run there, which {@link DeviceTooSmall} says before any launch.
 * </ul>
 */
final class GroupSizes {
    private GroupSizes() {}

    /**
     * A device's limits on one kernel's work-groups.
     *
     * @param perDimension CL_DEVICE_MAX_WORK_ITEM_SIZES
     * @param total        the least of CL_DEVICE_MAX_WORK_GROUP_SIZE and CL_KERNEL_WORK_GROUP_SIZE
     * @param multiple     CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE (1 when the device has no preference)
     * @param localMemory  CL_DEVICE_LOCAL_MEM_SIZE, in bytes
     * @param kernelLocal  CL_KERNEL_LOCAL_MEM_SIZE: the bytes of local memory the kernel takes
     */
    record Limits(long[] perDimension, long total, long multiple, long localMemory, long kernelLocal) {}

    /**
     * The size to launch {@code kernel} with on {@code device}: {@code requested} itself for a kernel
     * {@code bound} to its group (or an error when the device cannot run it), else the requested size
     * fitted to the limits as the class says. Null (let the implementation choose) stays null.
     */
    static long[] fit(String kernel, String device, long[] requested, boolean bound, Limits limits) {
        if (limits.kernelLocal() > limits.localMemory()) {
            throw new DeviceTooSmall("kernel %s takes %d bytes of local memory; %s has %d".formatted(kernel, limits.kernelLocal(), device, limits.localMemory()));
        }
        if (requested == null) return null;
        if (bound) {
            if (!fits(requested, limits)) {
                throw new DeviceTooSmall("kernel %s needs work-groups of %s work-items; %s allows at most %d (%s per dimension) for it"
                        .formatted(kernel, describe(requested), device, limits.total(), describe(limits.perDimension())));
            }
            return requested;
        }
        long[] size = requested.clone();
        for (int d = 0; d < size.length; d++) size[d] = Math.max(1, Math.min(size[d], limit(limits, d)));
        while (product(size) > limits.total()) {
            int largest = 0;
            for (int d = 1; d < size.length; d++) if (size[d] > size[largest]) largest = d;
            size[largest] = (size[largest] + 1) / 2;
        }
        long multiple = Math.max(1, limits.multiple());
        while (product(size) % multiple != 0 && product(size) * 2 <= limits.total() && size[0] * 2 <= limit(limits, 0)) size[0] *= 2;
        return size;
    }

    /** Whether a kernel's source is a reduction whose group size is the macro {@link Program#REDUCE_MACRO}. */
    static boolean reduces(String source) { return source.contains(Program.REDUCE_MACRO); }

    /**
     * The work-group size of a reducing kernel under {@code limits}: {@code built} (a power of two,
     * the size the limits were measured for) halved until the device's group and first dimension
     * allow it and its local memory, which grows with the group, fits. At least 1.
     */
    static int reduction(Limits limits, int built) {
        long cap = Math.min(limits.total(), limit(limits, 0));
        int n = built;
        while (n > 1 && (n > cap || limits.kernelLocal() / built * n > limits.localMemory())) n >>= 1;
        return n;
    }

    private static final Pattern GROUP_WORDS = Pattern.compile("\\b(reqd_work_group_size|barrier|__local|get_local_id|get_local_size|get_group_id|get_num_groups|work_group_\\w+|sub_group_\\w+|get_sub_group_\\w+)\\b");

    /**
     * Whether a kernel's work-items depend on their work-group, read from its OpenCL source: it
     * synchronizes (barriers), shares memory (local), asks where in its group it is, or requires its
     * size. A kernel that only asks for its global id computes the same with any group.
     */
    static boolean bound(String source) { return GROUP_WORDS.matcher(source).find(); }

    private static boolean fits(long[] size, Limits limits) {
        for (int d = 0; d < size.length; d++) if (size[d] > limit(limits, d)) return false;
        return product(size) <= limits.total();
    }

    private static long limit(Limits limits, int d) {
        return d < limits.perDimension().length ? limits.perDimension()[d] : 1;
    }

    private static long product(long[] size) {
        long p = 1;
        for (long s : size) p *= s;
        return p;
    }

    private static String describe(long[] size) {
        return String.join(" x ", Arrays.stream(size).mapToObj(Long::toString).toList());
    }
}
