package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.ArrayList;
import java.util.List;

/**
 * dz = dy · act'(z), the derivative computed from the activation's output y, or from its input z for
 * the activations whose derivative needs it ({@link Act#gradFromOutput()}: gelu, silu). dz may be dy's buffer.
 */
public record ActGrad(String name, Dim size, Act act, float alpha) implements Kernel {
    private static final int CHUNK = 1 << 14;

    public List<String> args() { return List.of(act.gradFromOutput() ? "y" : "z", "dy", "dz"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] y = bufs[0], dy = bufs[1], dz = bufs[2];
        int n = size.at(batch);
        ParallelFor.range((n + CHUNK - 1) / CHUNK, CHUNK, chunk -> {
            act.grad(y, dy, dz, chunk * CHUNK, Math.min(n, (chunk + 1) * CHUNK), alpha);
        });
    }

    /** Four elements per work-item (vload4/vstore4, the derivative per component), the last taking a remainder one at a time. */
    public void opencl(C out) {
        out.line("// dz [%s] = dy * %s'(z), from the %s.", size, act.name().toLowerCase(java.util.Locale.ROOT), act.gradFromOutput() ? "output y" : "input z");
        out.kernel(name, "const y", "const dy", "dz");
        out.line("const int q = get_global_id(0), n = %s;", size.c());
        String alpha = C.f(this.alpha);
        List<String> quad = new ArrayList<>(List.of("const float4 v = vload4(q, y), g = vload4(q, dy);", "float4 r;"));
        for (String c : new String[] {"s0", "s1", "s2", "s3"}) quad.add("r.%s = g.%s * %s;".formatted(c, c, act.openclGrad("v." + c, alpha)));
        quad.add("vstore4(r, q, dz);");
        out.quads(quad, "dz[i] = dy[i] * %s;".formatted(act.openclGrad("y[i]", alpha)));
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {(size.at(batch) + 3) / 4}; }

    @Override public long[] local() { return WorkGroups.items(); }
}
