package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * dbias[c] = the sum of dz [rows, channels, spatial] over rows and spatial positions (overwritten).
 * On OpenCL one work-group per channel ({@link ChannelLoop}): each work-item adds a fixed share, then a
 * fixed tree adds the shares, so the sum is the same on every run. Without spatial positions (a
 * dense layer's bias) each work-item adds one channel's column in row order instead: a work-group
 * of barriers per channel was 15% of a small MLP's training step on PoCL.
 */
public record BiasGrad(String name, Dim rows, long channels, long spatial) implements Kernel {

    public List<String> args() { return List.of("dz", "dbias"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] dz = bufs[0], dbias = bufs[1];
        int r = rows.at(batch), c = (int) channels, s = (int) spatial;
        ParallelFor.range(c, (long) r * s, ch -> dbias[ch] = (float) ChannelSums.sum(dz, ch * s, c * s, r, s));
    }

    public void opencl(C out) {
        if (spatial == 1) {
            // Blocks of 256 rows summed apart, then added: a full batch of 60,000 rows keeps its error near
            // that of a tree, not of one running sum.
            out.line("// dbias[c] = sum of dz [%s, %d] over the rows, in row order by blocks of 256; one work-item per channel.", rows, channels);
            out.kernel(name, "const dz", "dbias");
            out.line("const int c = get_global_id(0);");
            out.line("if (c >= %d) return;", channels);
            out.line("const int rows = %s;", rows.c());
            out.line("float total = 0.0f;");
            out.line("for (int r0 = 0; r0 < rows; r0 += 256) {");
            out.line("const int end = min(r0 + 256, rows);");
            out.line("float block = 0.0f;");
            out.line("for (int r = r0; r < end; r++) block += dz[r * %d + c];", channels);
            out.line("total += block;");
            out.line("}");
            out.line("dbias[c] = total;");
            out.line("}");
            return;
        }
        ChannelLoop loop = new ChannelLoop(name, channels, spatial);
        loop.helpers(out);
        out.line("// dbias[c] = sum of dz [%s, %d, %d] over all but the channel; one work-group per channel.", rows, channels, spatial);
        out.kernel(name, "const dz", "dbias");
        WorkGroups.declare(out, "total");
        out.line("const int c = get_group_id(0), lid = get_local_id(0);");
        out.line("%s share = 0.0f;", loop.type());
        loop.open(out, rows.c());
        out.line("share += %s;", loop.load("dz"));
        out.line("}");
        WorkGroups.sum(out, "total", loop.total("share"));
        out.line("if (lid == 0) dbias[c] = total;");
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {spatial == 1 ? channels : channels * WorkGroups.REDUCE}; }

    @Override public long[] local() { return spatial == 1 ? WorkGroups.items() : WorkGroups.reduce(); }
}
