package dln.runtime.kernel;

import java.util.List;

/** dz = dy · act'(z), the derivative computed from the activation's output y. dz may be dy's buffer. */
public record ActGrad(String name, Dim size, Act act, float alpha) implements Kernel {
    private static final int CHUNK = 1 << 14;

    public List<String> args() { return List.of("y", "dy", "dz"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] y = bufs[0], dy = bufs[1], dz = bufs[2];
        int n = size.at(batch);
        ParallelFor.range((n + CHUNK - 1) / CHUNK, CHUNK, chunk -> {
            act.gradFromOutput(y, dy, dz, chunk * CHUNK, Math.min(n, (chunk + 1) * CHUNK), alpha);
        });
    }

    public void opencl(C out) {
        out.line("// dz [%s] = dy * %s'(z), from the output y.", size, act.name().toLowerCase(java.util.Locale.ROOT));
        out.kernel(name, "const y", "const dy", "dz");
        out.line("const int i = get_global_id(0);");
        out.line("if (i >= %s) return;", size.c());
        out.line("const float v = y[i];");
        out.line("dz[i] = dy[i] * %s;", act.openclGrad("v", C.f(alpha)));
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {size.at(batch)}; }

    @Override public long[] local() { return WorkGroups.items(); }
}
