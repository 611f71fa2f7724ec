package dln.runtime.kernel;

import java.util.List;

/**
 * dbias[c] = the sum of dz [rows, channels, spatial] over rows and spatial positions (overwritten).
 * On OpenCL one work-group per channel: each work-item adds a strided share, then a fixed tree adds
 * the shares, so the sum is the same on every run.
 */
public record BiasGrad(String name, Dim rows, long channels, long spatial) implements Kernel {

    public List<String> args() { return List.of("dz", "dbias"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] dz = bufs[0], dbias = bufs[1];
        int r = rows.at(batch), c = (int) channels, s = (int) spatial;
        ParallelFor.range(c, (long) r * s, ch -> {
            double sum = 0;
            for (int row = 0; row < r; row++) {
                for (int i = (row * c + ch) * s; i < (row * c + ch + 1) * s; i++) sum += dz[i];
            }
            dbias[ch] = (float) sum;
        });
    }

    public void opencl(C out) {
        out.line("// dbias[c] = sum of dz [%s, %d, %d] over all but the channel; one work-group per channel.", rows, channels, spatial);
        out.kernel(name, "const dz", "dbias");
        WorkGroups.declare(out, "total");
        out.line("const int ch = get_group_id(0), lid = get_local_id(0);");
        out.line("float share = 0.0f;");
        out.line("for (int e = lid; e < %s * %d; e += %d) {", rows.c(), spatial, WorkGroups.REDUCE);
        out.line("const int row = e / %d;", spatial);
        out.line("share += dz[(row * %d + ch) * %d + e - row * %d];", channels, spatial, spatial);
        out.line("}");
        WorkGroups.sum(out, "total", "share");
        out.line("if (lid == 0) dbias[ch] = total;");
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {channels * WorkGroups.REDUCE}; }

    @Override public long[] local() { return WorkGroups.reduce(); }
}
