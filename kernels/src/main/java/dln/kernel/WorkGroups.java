package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Program;
import java.util.List;

/**
 * Work-group sizes, the OpenCL C of a deterministic work-group sum, and the channel indexing of the
 * kernels that run one work-group per channel.
 *
 * <p>Kernels with one work-item per element or row ask for groups of {@link #ITEMS} (the backend
 * fits that to the device, rounds the global size up, and the kernel checks its id): left to choose,
 * a driver must pick a divisor of the global size, which for an odd size such as 37 rows is 1 or 37.
 *
 * <p>Reducing kernels launch groups of {@link #REDUCE}: every work-item contributes one partial
 * value, and a fixed tree over the local slots adds them up. The tree's shape depends only on the
 * group size, never on scheduling, so the kernel gives the same bits on every run (on one device).
 * Such kernels must not return before the tree, since every work-item has to reach its barriers.
 * Their source names the group size only as the macro {@link #SIZE} (256 as the program defines it),
 * so that on a device allowing fewer work-items the backend builds the same program with a smaller
 * power of two and launches groups of it; their global sizes are given for groups of 256.
 */
final class WorkGroups {
    static final int ITEMS = 64;
    static final int REDUCE = Program.REDUCE;
    /** The reducing kernels' group size in their OpenCL C: a macro ({@link Program#REDUCE_MACRO}). */
    static final String SIZE = Program.REDUCE_MACRO;

    private WorkGroups() {}

    /** The local size of a kernel with one work-item per element or row. */
    static long[] items() { return new long[] {ITEMS}; }

    /** The local size of a reducing kernel. */
    static long[] reduce() { return new long[] {REDUCE}; }

    /** Declares the local scratch arrays of {@link #sum}, at kernel scope as OpenCL C requires. */
    static void declare(C out, String... names) {
        for (String name : names) out.line("__local float %s_part[%s];", name, SIZE);
    }

    /**
     * Sums each value over the work-group (whose local id is {@code lid}) into a new constant named
     * like its scratch array, which every work-item reads. The leading barrier lets a kernel reuse
     * the scratch arrays for a second sum.
     */
    static void sum(C out, List<String> names, List<String> values) {
        out.line("barrier(CLK_LOCAL_MEM_FENCE);");
        for (int i = 0; i < names.size(); i++) out.line("%s_part[lid] = %s;", names.get(i), values.get(i));
        out.line("for (int width = %s / 2; width > 0; width >>= 1) {", SIZE);
        out.line("barrier(CLK_LOCAL_MEM_FENCE);");
        out.line("if (lid < width) {");
        for (String name : names) out.line("%s_part[lid] += %s_part[lid + width];", name, name);
        out.line("}");
        out.line("}");
        out.line("barrier(CLK_LOCAL_MEM_FENCE);");
        for (String name : names) out.line("const float %s = %s_part[0];", name, name);
    }

    static void sum(C out, String name, String value) {
        sum(out, List.of(name), List.of(value));
    }

    /**
     * A C function {@code <kernel>_at(c, e)}: the index in [N, C, S] of channel c's element e,
     * counting e over N·S. Shared by the kernels that run one work-group per channel.
     */
    static void channelIndex(C out, String kernel, long channels, long spatial) {
        // the same arithmetic as channelIndex(channels, spatial, c, e), which the references use
        out.line("int %s_at(const int c, const int e) {", kernel);
        out.line("return (e / %d * %d + c) * %d + e %% %d;", spatial, channels, spatial, spatial);
        out.line("}");
        out.line("");
    }

    /** The index in [N, C, S] of channel c's element e, counting e over N·S: the Java of {@code <kernel>_at}. */
    static int channelIndex(long channels, long spatial, int c, int e) {
        return Math.toIntExact((e / spatial * channels + c) * spatial + e % spatial);
    }
}
