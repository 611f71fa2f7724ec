package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * The backward pass of training-mode {@link BatchNormForward}, from the μ and invstd it saved:
 * with x̂ = (x − μ)·invstd and M = N·S values per channel, dbias = Σ dy, dweight = Σ dy·x̂ (both
 * [C], overwritten) and dx = weight·invstd/M · (M·dy − dbias − x̂·dweight) (overwritten). OpenCL
 * runs one work-group per channel ({@link ChannelLoop}) with a {@link WorkGroups} sum of both
 * reductions at once.
 */
public record BatchNormBackward(String name, long channels, long spatial) implements Kernel {

    public BatchNormBackward {
        if (channels < 1 || spatial < 1) throw new IllegalArgumentException("batchnorm needs channels and spatial size of at least 1");
    }

    public List<String> args() { return List.of("x", "weight", "mean", "invstd", "dy", "dx", "dweight", "dbias"); }

    public void reference(int batch, int step, float[][] bufs) {
        ParallelFor.range(Math.toIntExact(channels), 2L * batch * spatial, c -> channel(c, batch, bufs));
    }

    /** One channel: batch runs of spatial floats, one every channels·spatial; summed as {@link ChannelSums#sum} sums. */
    private void channel(int c, int batch, float[][] bufs) {
        float[] x = bufs[0], dy = bufs[4], dx = bufs[5];
        float mu = bufs[2][c], inv = bufs[3][c];
        int s = (int) spatial, stride = (int) (channels * spatial), count = batch * s;
        double y0 = 0, y1 = 0, y2 = 0, y3 = 0, p0 = 0, p1 = 0, p2 = 0, p3 = 0;
        for (int n = 0, at = c * s; n < batch; n++, at += stride) {
            int i = at;
            for (; i + 4 <= at + s; i += 4) {
                y0 += dy[i];
                y1 += dy[i + 1];
                y2 += dy[i + 2];
                y3 += dy[i + 3];
                p0 += dy[i] * (double) ((x[i] - mu) * inv);
                p1 += dy[i + 1] * (double) ((x[i + 1] - mu) * inv);
                p2 += dy[i + 2] * (double) ((x[i + 2] - mu) * inv);
                p3 += dy[i + 3] * (double) ((x[i + 3] - mu) * inv);
            }
            for (; i < at + s; i++) {
                y0 += dy[i];
                p0 += dy[i] * (double) ((x[i] - mu) * inv);
            }
        }
        float db = (float) ((y0 + y1) + (y2 + y3)), dw = (float) ((p0 + p1) + (p2 + p3)), k = bufs[1][c] * inv / count;
        bufs[6][c] = dw;
        bufs[7][c] = db;
        for (int n = 0, at = c * s; n < batch; n++, at += stride) {
            for (int i = at; i < at + s; i++) dx[i] = k * (count * dy[i] - db - (x[i] - mu) * inv * dw);
        }
    }

    public void opencl(C out) {
        ChannelLoop loop = new ChannelLoop(name, channels, spatial);
        loop.helpers(out);
        out.kernel(name, "const x", "const weight", "const mean", "const invstd", "const dy", "dx", "dweight", "dbias");
        WorkGroups.declare(out, "db", "dw");
        out.line("const int c = get_group_id(0), lid = get_local_id(0);");
        out.line("const int count = batch * %d;", spatial);
        out.line("const float mu = mean[c], inv = invstd[c];");
        out.line("%s partDy = 0.0f, partDyX = 0.0f;", loop.type());
        loop.open(out, "batch");
        out.line("const %s g = %s;", loop.type(), loop.load("dy"));
        out.line("partDy += g;");
        out.line("partDyX += g * ((%s - mu) * inv);", loop.load("x"));
        out.line("}");
        WorkGroups.sum(out, List.of("db", "dw"), List.of(loop.total("partDy"), loop.total("partDyX")));
        out.line("if (lid == 0) {");
        out.line("dweight[c] = dw;");
        out.line("dbias[c] = db;");
        out.line("}");
        out.line("const float k = weight[c] * inv / (float) count;");
        loop.open(out, "batch");
        out.line(loop.store("dx", "k * ((float) count * %s - db - (%s - mu) * inv * dw)".formatted(loop.load("dy"), loop.load("x"))));
        out.line("}");
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {channels * WorkGroups.REDUCE}; }

    public long[] local() { return WorkGroups.reduce(); }
}
