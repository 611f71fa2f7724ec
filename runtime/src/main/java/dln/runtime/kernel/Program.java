package dln.runtime.kernel;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** The OpenCL program of a list of kernels: their sources in order, each kernel once. */
public final class Program {
    /**
     * The C macro that is the work-group size of the reducing kernels (a tree sum over the group's
     * work-items): {@link #REDUCE} as the program says it, or the power of two under it that the
     * OpenCL backend builds the program with (`-D DLN_REDUCE=64`) on a device that allows fewer
     * work-items in a group. A kernel whose source names it launches groups of that size, and a
     * global size given for groups of {@link #REDUCE} takes as many groups of the smaller size.
     */
    public static final String REDUCE_MACRO = "DLN_REDUCE";
    /** The reducing kernels' work-group size unless the device allows fewer. */
    public static final int REDUCE = 256;

    private Program() {}

    public static String source(String title, List<? extends Kernel> kernels) {
        return source(title, kernels, k -> null);
    }

    /** The same, each kernel under a comment line saying where it came from ({@code origin} gives it, or null for none). */
    public static String source(String title, List<? extends Kernel> kernels, Function<Kernel, String> origin) {
        C body = new C();
        Set<String> seen = new LinkedHashSet<>();
        for (Kernel k : kernels) {
            if (!seen.add(k.name())) continue;
            body.line("");
            String from = origin.apply(k);
            if (from != null) body.line("// " + oneLine(from));
            k.opencl(body);
        }
        C out = new C();
        out.line("// " + oneLine(title));
        out.line("// OpenCL C 1.2. Buffers are row-major, batch first; every kernel takes the batch size and a step counter last.");
        String text = body.toString();
        if (text.contains(REDUCE_MACRO)) {
            out.line("// The reductions' work-groups: %d work-items unless the runtime builds this program for a device that allows fewer.", REDUCE);
            out.line("#ifndef %s", REDUCE_MACRO);
            out.line("#define %s %d", REDUCE_MACRO, REDUCE);
            out.line("#endif");
        }
        return out.raw(text).toString();
    }

    private static String oneLine(String text) {
        return text.replace('\n', ' ').replace('\r', ' ').replace('\\', '/');
    }
}
