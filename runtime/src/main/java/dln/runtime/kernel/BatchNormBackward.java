package dln.runtime.kernel;

import java.util.List;

/**
 * The backward pass of training-mode {@link BatchNormForward}, from the μ and invstd it saved:
 * with x̂ = (x − μ)·invstd and M = N·S values per channel, dbias = Σ dy, dweight = Σ dy·x̂ (both
 * [C], overwritten) and dx = weight·invstd/M · (M·dy − dbias − x̂·dweight) (overwritten). OpenCL
 * runs one work-group per channel with a {@link WorkGroups} sum of both reductions at once.
 */
public record BatchNormBackward(String name, long channels, long spatial) implements Kernel {

    public BatchNormBackward {
        if (channels < 1 || spatial < 1) throw new IllegalArgumentException("batchnorm needs channels and spatial size of at least 1");
    }

    public List<String> args() { return List.of("x", "weight", "mean", "invstd", "dy", "dx", "dweight", "dbias"); }

    public void reference(int batch, int step, float[][] bufs) {
        int count = batch * Math.toIntExact(spatial);
        ParallelFor.range(Math.toIntExact(channels), 2L * count, c -> channel(c, count, bufs));
    }

    private void channel(int c, int count, float[][] bufs) {
        float[] x = bufs[0], dy = bufs[4], dx = bufs[5];
        float mu = bufs[2][c], inv = bufs[3][c];
        double sumDy = 0, sumDyX = 0;
        for (int e = 0; e < count; e++) {
            int at = WorkGroups.channelIndex(channels, spatial, c, e);
            sumDy += dy[at];
            sumDyX += dy[at] * (double) ((x[at] - mu) * inv);
        }
        float db = (float) sumDy, dw = (float) sumDyX, k = bufs[1][c] * inv / count;
        bufs[6][c] = dw;
        bufs[7][c] = db;
        for (int e = 0; e < count; e++) {
            int at = WorkGroups.channelIndex(channels, spatial, c, e);
            dx[at] = k * (count * dy[at] - db - (x[at] - mu) * inv * dw);
        }
    }

    public void opencl(C out) {
        WorkGroups.channelIndex(out, name, channels, spatial);
        out.kernel(name, "const x", "const weight", "const mean", "const invstd", "const dy", "dx", "dweight", "dbias");
        WorkGroups.declare(out, "db", "dw");
        out.line("const int c = get_group_id(0), lid = get_local_id(0);");
        out.line("const int count = batch * %d;", spatial);
        out.line("const float mu = mean[c], inv = invstd[c];");
        out.line("float partDy = 0.0f, partDyX = 0.0f;");
        out.line("for (int e = lid; e < count; e += %d) {", WorkGroups.REDUCE);
        out.line("const int at = %s_at(c, e);", name);
        out.line("partDy += dy[at];");
        out.line("partDyX += dy[at] * ((x[at] - mu) * inv);");
        out.line("}");
        WorkGroups.sum(out, List.of("db", "dw"), List.of("partDy", "partDyX"));
        out.line("if (lid == 0) {");
        out.line("dweight[c] = dw;");
        out.line("dbias[c] = db;");
        out.line("}");
        out.line("const float k = weight[c] * inv / (float) count;");
        out.line("for (int e = lid; e < count; e += %d) {", WorkGroups.REDUCE);
        out.line("const int at = %s_at(c, e);", name);
        out.line("dx[at] = k * ((float) count * dy[at] - db - (x[at] - mu) * inv * dw);");
        out.line("}");
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {channels * WorkGroups.REDUCE}; }

    public long[] local() { return WorkGroups.reduce(); }
}
