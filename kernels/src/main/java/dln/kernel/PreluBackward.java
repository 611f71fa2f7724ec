package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * The PReLU gradient: dx = dy where x ≥ 0 and weight[c]·dy where x &lt; 0 (overwritten), and
 * dweight[c] = Σ x·dy over the batch and spatial positions where x &lt; 0 (overwritten). OpenCL runs
 * one work-group per channel, which writes the channel's dx and sums its dweight with a
 * {@link WorkGroups} sum, so the reduction is deterministic.
 */
public record PreluBackward(String name, long channels, long spatial) implements Kernel {

    public PreluBackward {
        if (channels < 1 || spatial < 1) throw new IllegalArgumentException("prelu needs channels and spatial size of at least 1");
    }

    public List<String> args() { return List.of("x", "weight", "dy", "dx", "dweight"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], weight = bufs[1], dy = bufs[2], dx = bufs[3], dweight = bufs[4];
        int count = batch * Math.toIntExact(spatial);
        ParallelFor.range(Math.toIntExact(channels), count, c -> {
            double sum = 0;
            for (int e = 0; e < count; e++) {
                int at = WorkGroups.channelIndex(channels, spatial, c, e);
                if (x[at] < 0) {
                    dx[at] = weight[c] * dy[at];
                    sum += (double) x[at] * dy[at];
                } else {
                    dx[at] = dy[at];
                }
            }
            dweight[c] = (float) sum;
        });
    }

    public void opencl(C out) {
        WorkGroups.channelIndex(out, name, channels, spatial);
        out.kernel(name, "const x", "const weight", "const dy", "dx", "dweight");
        WorkGroups.declare(out, "slope");
        out.line("const int c = get_group_id(0), lid = get_local_id(0);");
        out.line("const float w = weight[c];");
        out.line("float part = 0.0f;");
        out.line("for (int e = lid; e < batch * %d; e += %s) {", spatial, WorkGroups.SIZE);
        out.line("const int at = %s_at(c, e);", name);
        out.line("if (x[at] < 0.0f) {");
        out.line("dx[at] = w * dy[at];");
        out.line("part += x[at] * dy[at];");
        out.line("} else {");
        out.line("dx[at] = dy[at];");
        out.line("}");
        out.line("}");
        WorkGroups.sum(out, "slope", "part");
        out.line("if (lid == 0) dweight[c] = slope;");
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {channels * WorkGroups.REDUCE}; }

    public long[] local() { return WorkGroups.reduce(); }
}
