package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * The mean over one axis, as PyTorch's x.mean(dim): x viewed as [outer, length, inner] per example
 * (outer the axes before the averaged one, inner those after) gives y [outer, inner]; its gradient
 * spreads dy evenly over the averaged axis. One work-item per element of the result (forward) or
 * of the input (backward); sums in float, in order, as the OpenCL does.
 */
public final class AxisMean {
    private AxisMean() {}

    /** y[o, c] = Σ_l x[o, l, c] / length. */
    public record Forward(String name, long outer, long length, long inner) implements Kernel {
        public List<String> args() { return List.of("x", "y"); }

        public void reference(int batch, int step, float[][] b) {
            float[] x = b[0], y = b[1];
            int len = (int) length, in = (int) inner;
            ParallelFor.range(Dim.batch(outer * inner).at(batch), length, e -> {
                int at = (e / in) * len * in + e % in;
                float sum = 0;
                for (int l = 0; l < len; l++) sum += x[at + l * in];
                y[e] = sum / len;
            });
        }

        public void opencl(C out) {
            out.line("// y [N, %d, %d] = the mean of x [N, %d, %d, %d] over its axis of %d.", outer, inner, outer, length, inner, length);
            out.kernel(name, "const x", "y");
            out.line("const int e = get_global_id(0);");
            out.line("if (e >= %d * batch) return;", outer * inner);
            out.line("__global const float* xe = x + (e / %d) * %d + e %% %d;", inner, length * inner, inner);
            out.line("float sum = 0.0f;");
            out.line("for (int l = 0; l < %d; l++) sum += xe[l * %d];", length, inner);
            out.line("y[e] = sum / %s;", C.f(length));
            out.line("}");
        }

        public long[] global(int batch) { return new long[] {outer * inner * batch}; }
    }

    /** dx[o, l, c] = dy[o, c] / length (overwritten). */
    public record Backward(String name, long outer, long length, long inner) implements Kernel {
        public List<String> args() { return List.of("dy", "dx"); }

        public void reference(int batch, int step, float[][] b) {
            float[] dy = b[0], dx = b[1];
            int len = (int) length, in = (int) inner;
            ParallelFor.range(Dim.batch(outer * length * inner).at(batch), 1, e -> dx[e] = dy[(e / (len * in)) * in + e % in] / len);
        }

        public void opencl(C out) {
            out.kernel(name, "const dy", "dx");
            out.line("const int e = get_global_id(0);");
            out.line("if (e >= %d * batch) return;", outer * length * inner);
            out.line("dx[e] = dy[(e / %d) * %d + e %% %d] / %s;", length * inner, inner, inner, C.f(length));
            out.line("}");
        }

        public long[] global(int batch) { return new long[] {outer * length * inner * batch}; }
    }
}
