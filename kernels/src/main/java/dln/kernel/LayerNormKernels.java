package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * Layer normalization over the last axis, as PyTorch's nn.LayerNorm: each row of {@code width}
 * values x gets μ = Σx/W, σ² = Σ(x − μ)²/W (biased), x̂ = (x − μ)/√(σ² + eps) and
 * y = x̂·weight + bias, weight and bias [W]. Rows are the batch times the leading axes. The
 * forward pass saves μ and 1/√(σ² + eps) per row for the two backward kernels. One work-item per
 * row (forward, input gradient) or per feature (parameter gradients); sums in double on the JVM.
 */
public final class LayerNormKernels {
    private LayerNormKernels() {}

    /** y = x̂·weight + bias; saves mean and invstd per row. */
    public record Forward(String name, Dim rows, long width, float eps) implements Kernel {
        public Forward {
            if (width < 1) throw new IllegalArgumentException("layer norm width must be at least 1, not " + width);
        }

        public List<String> args() { return List.of("x", "weight", "bias", "y", "mean", "invstd"); }

        public void reference(int batch, int step, float[][] b) {
            float[] x = b[0], w = b[1], bias = b[2], y = b[3], mean = b[4], invstd = b[5];
            int n = Math.toIntExact(width);
            ParallelFor.range(rows.at(batch), 3L * n, r -> {
                int at = r * n;
                double sum = 0;
                for (int j = 0; j < n; j++) sum += x[at + j];
                float mu = (float) (sum / n);
                double squares = 0;
                for (int j = 0; j < n; j++) squares += (double) (x[at + j] - mu) * (x[at + j] - mu);
                float inv = (float) (1 / Math.sqrt((float) (squares / n) + eps));
                mean[r] = mu;
                invstd[r] = inv;
                for (int j = 0; j < n; j++) y[at + j] = (x[at + j] - mu) * inv * w[j] + bias[j];
            });
        }

        public void opencl(C out) {
            out.kernel(name, "const x", "const weight", "const bias", "y", "mean", "invstd");
            out.line("const int r = get_global_id(0);");
            out.line("if (r >= %s) return;", rows.c());
            out.line("__global const float* xr = x + r * %d;", width);
            out.line("float sum = 0.0f;");
            out.line("for (int j = 0; j < %d; j++) sum += xr[j];", width);
            out.line("const float mu = sum / %s;", C.f(width));
            out.line("float squares = 0.0f;");
            out.line("for (int j = 0; j < %d; j++) { const float d = xr[j] - mu; squares += d * d; }", width);
            out.line("const float inv = 1.0f / sqrt(squares / %s + %s);", C.f(width), C.f(eps));
            out.line("mean[r] = mu;");
            out.line("invstd[r] = inv;");
            out.line("for (int j = 0; j < %d; j++) y[r * %d + j] = (xr[j] - mu) * inv * weight[j] + bias[j];", width, width);
            out.line("}");
        }

        public long[] global(int batch) { return new long[] {rows.at(batch)}; }
    }

    /** dx = invstd/W · (W·g − Σg − x̂·Σ(g·x̂)) with g = dy·weight, per row (overwritten). */
    public record BackwardData(String name, Dim rows, long width) implements Kernel {
        public List<String> args() { return List.of("x", "weight", "mean", "invstd", "dy", "dx"); }

        public void reference(int batch, int step, float[][] b) {
            float[] x = b[0], w = b[1], mean = b[2], invstd = b[3], dy = b[4], dx = b[5];
            int n = Math.toIntExact(width);
            ParallelFor.range(rows.at(batch), 4L * n, r -> {
                int at = r * n;
                float mu = mean[r], inv = invstd[r];
                double g = 0, gx = 0;
                for (int j = 0; j < n; j++) {
                    float gj = dy[at + j] * w[j];
                    g += gj;
                    gx += gj * (double) ((x[at + j] - mu) * inv);
                }
                float sg = (float) g, sgx = (float) gx, k = inv / n;
                for (int j = 0; j < n; j++) dx[at + j] = k * (n * dy[at + j] * w[j] - sg - (x[at + j] - mu) * inv * sgx);
            });
        }

        public void opencl(C out) {
            out.kernel(name, "const x", "const weight", "const mean", "const invstd", "const dy", "dx");
            out.line("const int r = get_global_id(0);");
            out.line("if (r >= %s) return;", rows.c());
            out.line("const int at = r * %d;", width);
            out.line("const float mu = mean[r], inv = invstd[r];");
            out.line("float g = 0.0f, gx = 0.0f;");
            out.line("for (int j = 0; j < %d; j++) { const float gj = dy[at + j] * weight[j]; g += gj; gx += gj * ((x[at + j] - mu) * inv); }", width);
            out.line("const float k = inv / %s;", C.f(width));
            out.line("for (int j = 0; j < %d; j++) dx[at + j] = k * (%s * dy[at + j] * weight[j] - g - (x[at + j] - mu) * inv * gx);", width, C.f(width));
            out.line("}");
        }

        public long[] global(int batch) { return new long[] {rows.at(batch)}; }
    }

    /** dweight = Σ dy·x̂ and dbias = Σ dy over every row (overwritten), one work-item per feature. */
    public record BackwardParams(String name, Dim rows, long width) implements Kernel {
        public List<String> args() { return List.of("x", "mean", "invstd", "dy", "dweight", "dbias"); }

        public void reference(int batch, int step, float[][] b) {
            float[] x = b[0], mean = b[1], invstd = b[2], dy = b[3], dw = b[4], db = b[5];
            int n = Math.toIntExact(width), count = rows.at(batch);
            ParallelFor.range(n, 2L * count, j -> {
                double w = 0, s = 0;
                for (int r = 0; r < count; r++) {
                    int i = r * n + j;
                    w += dy[i] * (double) ((x[i] - mean[r]) * invstd[r]);
                    s += dy[i];
                }
                dw[j] = (float) w;
                db[j] = (float) s;
            });
        }

        public void opencl(C out) {
            out.kernel(name, "const x", "const mean", "const invstd", "const dy", "dweight", "dbias");
            out.line("const int j = get_global_id(0);");
            out.line("if (j >= %d) return;", width);
            out.line("float w = 0.0f, s = 0.0f;");
            out.line("for (int r = 0; r < %s; r++) {", rows.c());
            out.line("const int i = r * %d + j;", width);
            out.line("w += dy[i] * ((x[i] - mean[r]) * invstd[r]);");
            out.line("s += dy[i];");
            out.line("}");
            out.line("dweight[j] = w;");
            out.line("dbias[j] = s;");
            out.line("}");
        }

        public long[] global(int batch) { return new long[] {width}; }
    }
}
