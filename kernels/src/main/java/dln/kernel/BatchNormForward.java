package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * Batch normalization of x [N, C, S] per channel (S = 1 for features): y = (x − μ)·invstd·weight + bias.
 * Training uses the batch's statistics over N·S, normalizing with the biased variance; it updates
 * running = (1 − momentum)·running + momentum·batch, the variance with the unbiased variance (as
 * PyTorch; with a single value per channel there is none, and the biased one, 0, is used), and
 * saves μ and invstd [C] for {@link BatchNormBackward}. Inference uses the running statistics and
 * saves them the same way. OpenCL runs one work-group per channel ({@link ChannelLoop}): two
 * {@link WorkGroups} sums (the mean, then the squared deviations from it, which stays accurate when
 * the mean is large).
 */
public record BatchNormForward(String name, long channels, long spatial, float momentum, float eps, boolean training)
        implements Kernel {

    public BatchNormForward {
        if (channels < 1 || spatial < 1) throw new IllegalArgumentException("batchnorm needs channels and spatial size of at least 1");
    }

    public List<String> args() { return List.of("x", "weight", "bias", "runningMean", "runningVar", "mean", "invstd", "y"); }

    public void reference(int batch, int step, float[][] bufs) {
        if (batch == 0) return; // no statistics to take: leave the running ones alone
        ParallelFor.range(Math.toIntExact(channels), 3L * batch * spatial, c -> channel(c, batch, bufs));
    }

    /** One channel: its values are batch runs of spatial floats, one every channels·spatial. */
    private void channel(int c, int batch, float[][] bufs) {
        float[] x = bufs[0], runningMean = bufs[3], runningVar = bufs[4], y = bufs[7];
        int s = (int) spatial, stride = (int) (channels * spatial), count = batch * s;
        float mu, inv;
        if (training) {
            mu = (float) (ChannelSums.sum(x, c * s, stride, batch, s) / count);
            double squares = ChannelSums.squares(x, c * s, stride, batch, s, mu);
            float var = (float) (squares / count), unbiased = count > 1 ? (float) (squares / (count - 1)) : var;
            inv = 1f / (float) Math.sqrt(var + eps);
            runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mu;
            runningVar[c] = (1 - momentum) * runningVar[c] + momentum * unbiased;
        } else {
            mu = runningMean[c];
            inv = 1f / (float) Math.sqrt(runningVar[c] + eps);
        }
        bufs[5][c] = mu;
        bufs[6][c] = inv;
        float w = bufs[1][c], b = bufs[2][c];
        for (int n = 0, at = c * s; n < batch; n++, at += stride) {
            for (int i = at; i < at + s; i++) y[i] = (x[i] - mu) * inv * w + b;
        }
    }

    public void opencl(C out) {
        ChannelLoop loop = new ChannelLoop(name, channels, spatial);
        loop.helpers(out);
        out.kernel(name, "const x", "const weight", "const bias", "runningMean", "runningVar", "mean", "invstd", "y");
        if (training) WorkGroups.declare(out, "sum", "squares");
        out.line("const int c = get_group_id(0), lid = get_local_id(0);");
        out.line("const int count = batch * %d;", spatial);
        if (training) statistics(out, loop);
        else out.line("const float mu = runningMean[c], inv = 1.0f / sqrt(runningVar[c] + %s);", C.f(eps));
        out.line("if (lid == 0) {");
        out.line("mean[c] = mu;");
        out.line("invstd[c] = inv;");
        if (training) {
            out.line("runningMean[c] = %s * runningMean[c] + %s * mu;", C.f(1 - momentum), C.f(momentum));
            out.line("runningVar[c] = %s * runningVar[c] + %s * unbiased;", C.f(1 - momentum), C.f(momentum));
        }
        out.line("}");
        out.line("const float w = weight[c], b = bias[c];");
        loop.open(out, "batch");
        out.line(loop.store("y", "(%s - mu) * inv * w + b".formatted(loop.load("x"))));
        out.line("}");
        out.line("}");
    }

    private void statistics(C out, ChannelLoop loop) {
        out.line("%s part = 0.0f;", loop.type());
        loop.open(out, "batch");
        out.line("part += %s;", loop.load("x"));
        out.line("}");
        WorkGroups.sum(out, "sum", loop.total("part"));
        out.line("const float mu = sum / (float) count;");
        out.line("part = 0.0f;");
        loop.open(out, "batch");
        out.line("const %s d = %s - mu;", loop.type(), loop.load("x"));
        out.line("part += %s;", loop.inside("d * d"));
        out.line("}");
        WorkGroups.sum(out, "squares", loop.total("part"));
        out.line("const float var = squares / (float) count;");
        out.line("const float unbiased = count > 1 ? squares / (float) (count - 1) : var;");
        out.line("const float inv = 1.0f / sqrt(var + %s);", C.f(eps));
    }

    public long[] global(int batch) { return new long[] {batch == 0 ? 0 : channels * WorkGroups.REDUCE}; }

    public long[] local() { return WorkGroups.reduce(); }
}
