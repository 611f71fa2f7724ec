package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * PReLU: y = x where x ≥ 0, weight[c]·x where x &lt; 0, with one learned slope per channel of
 * x [N, C, S] (S = 1 after a dense layer). One work-item per element.
 */
public record PreluForward(String name, long channels, long spatial) implements Kernel {

    public PreluForward {
        if (channels < 1 || spatial < 1) throw new IllegalArgumentException("prelu needs channels and spatial size of at least 1");
    }

    public List<String> args() { return List.of("x", "weight", "y"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], weight = bufs[1], y = bufs[2];
        int s = Math.toIntExact(spatial), c = Math.toIntExact(channels);
        ParallelFor.range(batch * c, s, row -> {
            float slope = weight[row % c];
            for (int i = row * s; i < (row + 1) * s; i++) y[i] = x[i] < 0 ? slope * x[i] : x[i];
        });
    }

    public void opencl(C out) {
        out.kernel(name, "const x", "const weight", "y");
        out.line("const int i = get_global_id(0);");
        out.line("if (i >= batch * %d) return;", channels * spatial);
        out.line("y[i] = x[i] < 0.0f ? weight[i / %d %% %d] * x[i] : x[i];", spatial, channels);
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {batch * channels * spatial}; }

    public long[] local() { return WorkGroups.items(); }
}
