package dln.runtime.kernel;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** The OpenCL program of a list of kernels: their sources in order, each kernel once. */
public final class Program {
    private Program() {}

    public static String source(String title, List<? extends Kernel> kernels) {
        return source(title, kernels, k -> null);
    }

    /** The same, each kernel under a comment line saying where it came from ({@code origin} gives it, or null for none). */
    public static String source(String title, List<? extends Kernel> kernels, Function<Kernel, String> origin) {
        C out = new C();
        out.line("// " + oneLine(title));
        out.line("// OpenCL C 1.2. Buffers are row-major, batch first; every kernel takes the batch size and a step counter last.");
        Set<String> seen = new LinkedHashSet<>();
        for (Kernel k : kernels) {
            if (!seen.add(k.name())) continue;
            out.line("");
            String from = origin.apply(k);
            if (from != null) out.line("// " + oneLine(from));
            k.opencl(out);
        }
        return out.toString();
    }

    private static String oneLine(String text) {
        return text.replace('\n', ' ').replace('\r', ' ').replace('\\', '/');
    }
}
