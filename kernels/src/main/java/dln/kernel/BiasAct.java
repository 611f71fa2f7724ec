package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.ArrayList;
import java.util.List;

/**
 * In place on y viewed as [rows, channels, spatial]: y = act(y + bias[c]), the bias one per channel
 * (a dense layer has spatial 1; a convolution's channels are its output channels). Without a bias
 * it applies the activation alone.
 */
public record BiasAct(String name, Dim rows, long channels, long spatial, boolean bias, Act act, float alpha) implements Kernel {

    public List<String> args() { return bias ? List.of("bias", "y") : List.of("y"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] y = bufs[bias ? 1 : 0], b = bias ? bufs[0] : null;
        int c = (int) channels, s = (int) spatial, per = c * s;
        ParallelFor.range(rows.at(batch), per, r -> {
            if (bias) {
                for (int ch = 0; ch < c; ch++) {
                    float add = b[ch];
                    for (int i = (r * c + ch) * s; i < (r * c + ch + 1) * s; i++) y[i] += add;
                }
            }
            act.applyInPlace(y, r * per, (r + 1) * per, alpha);
        });
    }

    /**
     * Four elements per work-item (vload4/vstore4, the activation per component) when they share a
     * bias value (spatial a multiple of 4), take four consecutive ones (spatial 1, channels a
     * multiple of 4), or there is no bias; the last work-item takes a remainder one at a time. One
     * element per work-item otherwise. PoCL had run the one-element form at a quarter of the speed.
     */
    public void opencl(C out) {
        out.line("// y [%s, %d, %d] = %s(y%s), in place.", rows, channels, spatial, act.name().toLowerCase(java.util.Locale.ROOT),
                bias ? " + bias[channel]" : "");
        out.kernel(name, bias ? new String[] {"const bias", "y"} : new String[] {"y"});
        out.line("const int q = get_global_id(0), n = %s * %d;", rows.c(), channels * spatial);
        String alpha = C.f(this.alpha);
        if (!quads()) {
            out.line("if (q >= n) return;");
            out.line(bias ? "const float z = y[q] + bias[q / %d %% %d];".formatted(spatial, channels) : "const float z = y[q];");
            out.line("y[q] = %s;", act.opencl("z", alpha));
            out.line("}");
            return;
        }
        String add = !bias ? "" : spatial % 4 == 0 ? " + bias[q * 4 / %d %% %d]".formatted(spatial, channels)
                : " + vload4(q %% %d, bias)".formatted(channels / 4);
        List<String> quad = new ArrayList<>(List.of("float4 z = vload4(q, y)%s;".formatted(add)));
        for (String c : new String[] {"s0", "s1", "s2", "s3"}) quad.add("z.%s = %s;".formatted(c, act.opencl("z." + c, alpha)));
        quad.add("vstore4(z, q, y);");
        out.quads(quad, bias ? null : "y[i] = %s;".formatted(act.opencl("y[i]", alpha)));
        out.line("}");
    }

    /** Whether a work-item takes four elements (see {@link #opencl}). */
    private boolean quads() {
        return !bias || spatial % 4 == 0 || (spatial == 1 && channels % 4 == 0);
    }

    public long[] global(int batch) {
        long n = rows.at(batch) * channels * spatial;
        return new long[] {quads() ? (n + 3) / 4 : n};
    }

    @Override public long[] local() { return WorkGroups.items(); }
}
