package dln.runtime.kernel;

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

    public void opencl(C out) {
        out.line("// y [%s, %d, %d] = %s(y%s), in place.", rows, channels, spatial, act.name().toLowerCase(java.util.Locale.ROOT),
                bias ? " + bias[channel]" : "");
        out.kernel(name, bias ? new String[] {"const bias", "y"} : new String[] {"y"});
        out.line("const int i = get_global_id(0);");
        out.line("if (i >= %s * %d) return;", rows.c(), channels * spatial);
        out.line(bias ? "const float z = y[i] + bias[i / %d %% %d];".formatted(spatial, channels) : "const float z = y[i];");
        out.line("y[i] = %s;", act.opencl("z", C.f(alpha)));
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {rows.at(batch) * channels * spatial}; }

    @Override public long[] local() { return WorkGroups.items(); }
}
