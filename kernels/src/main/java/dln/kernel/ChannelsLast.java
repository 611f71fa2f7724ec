package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * y [batch · positions, channels] = x [batch, channels, positions] with each example's channels last:
 * a per-example transpose, so that a convolution's dy (or a transposed convolution's input) is a
 * matrix whose rows are the batch's positions, the A of the products that take strided convolutions
 * by rows ({@link PositionRows}). OpenCL: a work-item per 16 positions of an example, each channel's
 * float16 of them loaded at once and its lanes stored down the rows.
 */
public record ChannelsLast(String name, long channels, long positions) implements Kernel {

    public List<String> args() { return List.of("x", "y"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], y = bufs[1];
        int c = (int) channels, p = (int) positions;
        ParallelFor.chunks(batch, (long) c * p, (from, to) -> {
            for (int n = from; n < to; n++) {
                for (int ch = 0; ch < c; ch++) {
                    int src = (n * c + ch) * p, dst = n * p * c + ch;
                    for (int pos = 0; pos < p; pos++, dst += c) y[dst] = x[src + pos];
                }
            }
        });
    }

    public void opencl(C out) {
        long blocks = (positions + 15) / 16;
        out.line("// y [batch * %d, %d] = x [batch, %d, %d], each example's channels last; a work-item per 16 positions", positions, channels, channels, positions);
        out.line("// of an example loads each channel's float16 of them and stores its lanes down the 16 rows of y.");
        out.kernel(name, "const x", "y");
        out.line("const int b = get_global_id(0);");
        out.line("if (b >= batch * %d) return;", blocks);
        out.line("const int n = b / %d, p0 = b %% %d * 16;", blocks, blocks);
        out.line("const __global float* from = x + n * %d + p0;", channels * positions);
        out.line("__global float* to = y + (n * %d + p0) * %d;", positions, channels);
        out.line("if (p0 + 16 <= %d) {", positions);
        out.line("for (int c = 0; c < %d; c++) {", channels);
        out.line("const float16 v = vload16(0, from + c * %d);", positions);
        for (int j = 0; j < 16; j++) out.line("to[%d + c] = v.s%s;", j * channels, Integer.toHexString(j));
        out.line("}");
        out.line("} else {");
        out.line("for (int c = 0; c < %d; c++) for (int j = 0; p0 + j < %d; j++) to[j * %d + c] = from[c * %d + j];", channels, positions, channels, positions);
        out.line("}");
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {(long) batch * ((positions + 15) / 16)}; }
}
