package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * y [batch · positions, channels] = x [batch, channels, positions] with each example's channels last:
 * a per-example transpose, so that a convolution's dy (or a transposed convolution's input) is a
 * matrix whose rows are the batch's positions, the A of the products that take strided convolutions
 * by rows ({@link PositionRows}). OpenCL: a work-item per row of y (a position of an example).
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
        out.line("// y [batch * %d, %d] = x [batch, %d, %d], each example's channels last; a work-item per row of y.", positions, channels, channels, positions);
        out.kernel(name, "const x", "y");
        out.line("const int q = get_global_id(0);");
        out.line("if (q >= batch * %d) return;", positions);
        out.line("const __global float* from = x + q / %d * %d + q %% %d;", positions, channels * positions, positions);
        out.line("__global float* to = y + q * %d;", channels);
        out.line("for (int c = 0; c < %d; c++) to[c] = from[c * %d];", channels, positions);
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {(long) batch * positions}; }
}
