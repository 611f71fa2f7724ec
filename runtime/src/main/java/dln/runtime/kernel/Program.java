package dln.runtime.kernel;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The OpenCL program of a list of kernels: their sources in order, each kernel once. */
public final class Program {
    private Program() {}

    public static String source(String title, List<? extends Kernel> kernels) {
        C out = new C();
        out.line("// " + title.replace('\n', ' ').replace('\r', ' ').replace('\\', '/'));
        out.line("// OpenCL C 1.2. Buffers are row-major, batch first; every kernel takes the batch size and a step counter last.");
        Set<String> seen = new LinkedHashSet<>();
        for (Kernel k : kernels) {
            if (!seen.add(k.name())) continue;
            out.line("");
            k.opencl(out);
        }
        return out.toString();
    }
}
