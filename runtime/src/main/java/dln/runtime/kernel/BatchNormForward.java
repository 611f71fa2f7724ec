package dln.runtime.kernel;

import java.util.List;

/**
 * Batch normalization of x [N, C, S] per channel (S = 1 for features): y = (x − μ)·invstd·weight + bias.
 * Training uses the batch's statistics over N·S, normalizing with the biased variance; it updates
 * running = (1 − momentum)·running + momentum·batch, the variance with the unbiased variance (as
 * PyTorch; with a single value per channel there is none, and the biased one, 0, is used), and
 * saves μ and invstd [C] for {@link BatchNormBackward}. Inference uses the running statistics and
 * saves them the same way. OpenCL runs one work-group per channel: two {@link WorkGroups} sums
 * (the mean, then the squared deviations from it, which stays accurate when the mean is large).
 */
public record BatchNormForward(String name, long channels, long spatial, float momentum, float eps, boolean training)
        implements Kernel {

    public BatchNormForward {
        if (channels < 1 || spatial < 1) throw new IllegalArgumentException("batchnorm needs channels and spatial size of at least 1");
    }

    public List<String> args() { return List.of("x", "weight", "bias", "runningMean", "runningVar", "mean", "invstd", "y"); }

    public void reference(int batch, int step, float[][] bufs) {
        if (batch == 0) return; // no statistics to take: leave the running ones alone
        int count = batch * Math.toIntExact(spatial);
        ParallelFor.range(Math.toIntExact(channels), 3L * count, c -> channel(c, count, bufs));
    }

    private void channel(int c, int count, float[][] bufs) {
        float[] x = bufs[0], runningMean = bufs[3], runningVar = bufs[4], y = bufs[7];
        int[] at = new int[count];
        for (int e = 0; e < count; e++) at[e] = WorkGroups.channelIndex(channels, spatial, c, e);
        float mu, inv;
        if (training) {
            double sum = 0, squares = 0;
            for (int i : at) sum += x[i];
            mu = (float) (sum / count);
            for (int i : at) squares += (double) (x[i] - mu) * (x[i] - mu);
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
        for (int i : at) y[i] = (x[i] - mu) * inv * w + b;
    }

    public void opencl(C out) {
        WorkGroups.channelIndex(out, name, channels, spatial);
        out.kernel(name, "const x", "const weight", "const bias", "runningMean", "runningVar", "mean", "invstd", "y");
        if (training) WorkGroups.declare(out, "sum", "squares");
        out.line("const int c = get_group_id(0), lid = get_local_id(0);");
        out.line("const int count = batch * %d;", spatial);
        if (training) statistics(out);
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
        out.line("for (int e = lid; e < count; e += %d) {", WorkGroups.REDUCE);
        out.line("const int at = %s_at(c, e);", name);
        out.line("y[at] = (x[at] - mu) * inv * w + b;");
        out.line("}");
        out.line("}");
    }

    private void statistics(C out) {
        out.line("float part = 0.0f;");
        out.line("for (int e = lid; e < count; e += %d) part += x[%s_at(c, e)];", WorkGroups.REDUCE, name);
        WorkGroups.sum(out, "sum", "part");
        out.line("const float mu = sum / (float) count;");
        out.line("part = 0.0f;");
        out.line("for (int e = lid; e < count; e += %d) {", WorkGroups.REDUCE);
        out.line("const float d = x[%s_at(c, e)] - mu;", name);
        out.line("part += d * d;");
        out.line("}");
        WorkGroups.sum(out, "squares", "part");
        out.line("const float var = squares / (float) count;");
        out.line("const float unbiased = count > 1 ? squares / (float) (count - 1) : var;");
        out.line("const float inv = 1.0f / sqrt(var + %s);", C.f(eps));
    }

    public long[] global(int batch) { return new long[] {batch == 0 ? 0 : channels * WorkGroups.REDUCE}; }

    public long[] local() { return WorkGroups.reduce(); }
}
