package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * The middle of multi-head self-attention, as PyTorch's nn.MultiheadAttention computes it between
 * its input and output projections. Per example, qkv is [T, 3D]: the queries, keys and values of
 * step t side by side (q = qkv[t, 0:D], k = qkv[t, D:2D], v = qkv[t, 2D:3D]); head h owns columns
 * h·dh to (h+1)·dh of each, dh = D / heads. The attention weights p [heads, T, T] are
 * softmax_j(q_i·k_j / √dh), with j ≤ i only when causal (the upper triangle masked to −∞, so its
 * weights are exactly 0), and the output o [T, D] is Σ_j p_ij·v_j per head. The forward pass keeps
 * p for the backward kernels. One work-item per row of p or per element of the result; sums in
 * float, in order, as the OpenCL does.
 */
public final class AttentionKernels {
    private AttentionKernels() {}

    /** The sizes every kernel of one attention layer shares. */
    public record Geometry(long time, long width, long heads, boolean causal) {
        public Geometry {
            if (time < 1 || width < 1 || heads < 1 || width % heads != 0) {
                throw new IllegalArgumentException("attention needs T, D, heads ≥ 1 and heads dividing D, not T " + time + ", D " + width + ", heads " + heads);
            }
        }

        long headWidth() { return width / heads; }

        float scale() { return (float) (1 / Math.sqrt(headWidth())); }

        /** The rows of p per example: heads·T. */
        Dim rows() { return Dim.batch(heads * time); }

        /** The last key step row i of p sees (inclusive). */
        int lastKey(int i) { return causal ? i : (int) time - 1; }

        String lastKeyC(String i) { return causal ? i : Long.toString(time - 1); }

        /** The C declarations of n (example), h (head) and i (step) of row r of p. */
        void rowIndices(C out) {
            out.line("const int n = r / %d, h = (r / %d) %% %d, i = r %% %d;", heads * time, time, heads, time);
        }
    }

    /** p = softmax(q·kᵀ/√dh) per head, masked above the diagonal when causal. */
    public record Scores(String name, Geometry g) implements Kernel {
        public List<String> args() { return List.of("qkv", "p"); }

        public void reference(int batch, int step, float[][] b) {
            float[] qkv = b[0], p = b[1];
            int t = (int) g.time(), d = (int) g.width(), dh = (int) g.headWidth(), h = (int) g.heads();
            float scale = g.scale();
            ParallelFor.range(g.rows().at(batch), 2L * t * dh, r -> {
                int n = r / (h * t), head = (r / t) % h, i = r % t, last = g.lastKey(i), at = r * t;
                int q = (n * t + i) * 3 * d + head * dh;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j <= last; j++) {
                    int k = (n * t + j) * 3 * d + d + head * dh;
                    float dot = 0;
                    for (int c = 0; c < dh; c++) dot += qkv[q + c] * qkv[k + c];
                    p[at + j] = dot * scale;
                    max = Math.max(max, p[at + j]);
                }
                float sum = 0;
                for (int j = 0; j <= last; j++) {
                    p[at + j] = Softmax.exp(p[at + j] - max);
                    sum += p[at + j];
                }
                for (int j = 0; j <= last; j++) p[at + j] /= sum;
                for (int j = last + 1; j < t; j++) p[at + j] = 0;
            });
        }

        public void opencl(C out) {
            long t = g.time(), d = g.width(), dh = g.headWidth();
            out.line("// p [N, %d, %d, %d] = softmax(q·kᵀ / √%d) per head%s.", g.heads(), t, t, dh, g.causal() ? ", keys after the query masked" : "");
            out.kernel(name, "const qkv", "p");
            out.line("const int r = get_global_id(0);");
            out.line("if (r >= %s) return;", g.rows().c());
            g.rowIndices(out);
            out.line("const int last = %s, at = r * %d;", g.lastKeyC("i"), t);
            out.line("__global const float* q = qkv + (n * %d + i) * %d + h * %d;", t, 3 * d, dh);
            out.line("float max = -INFINITY;");
            out.line("for (int j = 0; j <= last; j++) {");
            out.line("__global const float* k = qkv + (n * %d + j) * %d + %d + h * %d;", t, 3 * d, d, dh);
            out.line("float dot = 0.0f;");
            out.line("for (int c = 0; c < %d; c++) dot += q[c] * k[c];", dh);
            out.line("p[at + j] = dot * %s;", C.f(g.scale()));
            out.line("max = fmax(max, p[at + j]);");
            out.line("}");
            out.line("float sum = 0.0f;");
            out.line("for (int j = 0; j <= last; j++) { p[at + j] = exp(p[at + j] - max); sum += p[at + j]; }");
            out.line("for (int j = 0; j <= last; j++) p[at + j] /= sum;");
            out.line("for (int j = last + 1; j < %d; j++) p[at + j] = 0.0f;", t);
            out.line("}");
        }

        public long[] global(int batch) { return new long[] {g.rows().at(batch)}; }
    }

    /** o[i, head h] = Σ_j p[h, i, j]·v[j, head h], one work-item per element of o [T, D]. */
    public record Mix(String name, Geometry g) implements Kernel {
        public List<String> args() { return List.of("p", "qkv", "o"); }

        public void reference(int batch, int step, float[][] b) {
            float[] p = b[0], qkv = b[1], o = b[2];
            int t = (int) g.time(), d = (int) g.width(), dh = (int) g.headWidth(), h = (int) g.heads();
            ParallelFor.range(batch * t * d, 2L * t, e -> {
                int n = e / (t * d), i = (e / d) % t, col = e % d, head = col / dh, last = g.lastKey(i);
                int at = ((n * h + head) * t + i) * t;
                float sum = 0;
                for (int j = 0; j <= last; j++) sum += p[at + j] * qkv[(n * t + j) * 3 * d + 2 * d + col];
                o[e] = sum;
            });
        }

        public void opencl(C out) {
            long t = g.time(), d = g.width(), dh = g.headWidth(), h = g.heads();
            out.line("// o [N, %d, %d] = p·v per head.", t, d);
            out.kernel(name, "const p", "const qkv", "o");
            out.line("const int e = get_global_id(0);");
            out.line("if (e >= %d * batch) return;", t * d);
            out.line("const int n = e / %d, i = (e / %d) %% %d, col = e %% %d, last = %s;", t * d, d, t, d, g.lastKeyC("i"));
            out.line("__global const float* pr = p + ((n * %d + col / %d) * %d + i) * %d;", h, dh, t, t);
            out.line("float sum = 0.0f;");
            out.line("for (int j = 0; j <= last; j++) sum += pr[j] * qkv[(n * %d + j) * %d + %d + col];", t, 3 * d, 2 * d);
            out.line("o[e] = sum;");
            out.line("}");
        }

        public long[] global(int batch) { return new long[] {g.time() * g.width() * batch}; }
    }

    /**
     * The gradient of the scaled scores: ds[h, i, j] = p_ij·(dp_ij − Σ_j' p_ij'·dp_ij') / √dh with
     * dp_ij = do[i, head h]·v[j, head h] (overwritten); masked entries get 0, as their p is 0.
     */
    public record BackwardScores(String name, Geometry g) implements Kernel {
        public List<String> args() { return List.of("p", "qkv", "dout", "ds"); }

        public void reference(int batch, int step, float[][] b) {
            float[] p = b[0], qkv = b[1], dout = b[2], ds = b[3];
            int t = (int) g.time(), d = (int) g.width(), dh = (int) g.headWidth(), h = (int) g.heads();
            float scale = g.scale();
            ParallelFor.range(g.rows().at(batch), 2L * t * dh, r -> {
                int n = r / (h * t), head = (r / t) % h, i = r % t, last = g.lastKey(i), at = r * t;
                int o = (n * t + i) * d + head * dh;
                float dot = 0;
                for (int j = 0; j <= last; j++) {
                    int v = (n * t + j) * 3 * d + 2 * d + head * dh;
                    float dp = 0;
                    for (int c = 0; c < dh; c++) dp += dout[o + c] * qkv[v + c];
                    ds[at + j] = dp;
                    dot += p[at + j] * dp;
                }
                for (int j = 0; j <= last; j++) ds[at + j] = p[at + j] * (ds[at + j] - dot) * scale;
                for (int j = last + 1; j < t; j++) ds[at + j] = 0;
            });
        }

        public void opencl(C out) {
            long t = g.time(), d = g.width(), dh = g.headWidth();
            out.line("// ds [N, %d, %d, %d] = p·(dp − Σ p·dp) / √%d, dp = do·vᵀ per head.", g.heads(), t, t, dh);
            out.kernel(name, "const p", "const qkv", "const dout", "ds");
            out.line("const int r = get_global_id(0);");
            out.line("if (r >= %s) return;", g.rows().c());
            g.rowIndices(out);
            out.line("const int last = %s, at = r * %d;", g.lastKeyC("i"), t);
            out.line("__global const float* o = dout + (n * %d + i) * %d + h * %d;", t, d, dh);
            out.line("float dot = 0.0f;");
            out.line("for (int j = 0; j <= last; j++) {");
            out.line("__global const float* v = qkv + (n * %d + j) * %d + %d + h * %d;", t, 3 * d, 2 * d, dh);
            out.line("float dp = 0.0f;");
            out.line("for (int c = 0; c < %d; c++) dp += o[c] * v[c];", dh);
            out.line("ds[at + j] = dp;");
            out.line("dot += p[at + j] * dp;");
            out.line("}");
            out.line("for (int j = 0; j <= last; j++) ds[at + j] = p[at + j] * (ds[at + j] - dot) * %s;", C.f(g.scale()));
            out.line("for (int j = last + 1; j < %d; j++) ds[at + j] = 0.0f;", t);
            out.line("}");
        }

        public long[] global(int batch) { return new long[] {g.rows().at(batch)}; }
    }

    /**
     * dqkv [T, 3D] (overwritten): dq_i = Σ_j ds_ij·k_j, dk_j = Σ_i ds_ij·q_i and dv_j = Σ_i p_ij·do_i,
     * per head; one work-item per element.
     */
    public record BackwardQkv(String name, Geometry g) implements Kernel {
        public List<String> args() { return List.of("p", "ds", "qkv", "dout", "dqkv"); }

        public void reference(int batch, int step, float[][] b) {
            float[] p = b[0], ds = b[1], qkv = b[2], dout = b[3], dqkv = b[4];
            int t = (int) g.time(), d = (int) g.width(), dh = (int) g.headWidth(), h = (int) g.heads();
            ParallelFor.range(batch * t * 3 * d, 2L * t, e -> {
                int n = e / (3 * t * d), s = (e / (3 * d)) % t, part = (e % (3 * d)) / d, col = e % d;
                int rows = ((n * h + col / dh) * t) * t;
                float sum = 0;
                if (part == 0) {
                    for (int j = 0; j <= g.lastKey(s); j++) sum += ds[rows + s * t + j] * qkv[(n * t + j) * 3 * d + d + col];
                } else {
                    float[] by = part == 1 ? ds : p;
                    for (int i = g.causal() ? s : 0; i < t; i++) {
                        sum += by[rows + i * t + s] * (part == 1 ? qkv[(n * t + i) * 3 * d + col] : dout[(n * t + i) * d + col]);
                    }
                }
                dqkv[e] = sum;
            });
        }

        public void opencl(C out) {
            long t = g.time(), d = g.width(), dh = g.headWidth(), h = g.heads();
            out.line("// dqkv [N, %d, %d]: dq = ds·k, dk = dsᵀ·q, dv = pᵀ·do per head.", t, 3 * d);
            out.kernel(name, "const p", "const ds", "const qkv", "const dout", "dqkv");
            out.line("const int e = get_global_id(0);");
            out.line("if (e >= %d * batch) return;", 3 * t * d);
            out.line("const int n = e / %d, s = (e / %d) %% %d, part = (e %% %d) / %d, col = e %% %d;", 3 * t * d, 3 * d, t, 3 * d, d, d);
            out.line("const int rows = (n * %d + col / %d) * %d;", h, dh, t * t);
            out.line("float sum = 0.0f;");
            out.line("if (part == 0) {");
            out.line("for (int j = 0; j <= %s; j++) sum += ds[rows + s * %d + j] * qkv[(n * %d + j) * %d + %d + col];", g.lastKeyC("s"), t, t, 3 * d, d);
            out.line("} else if (part == 1) {");
            out.line("for (int i = %s; i < %d; i++) sum += ds[rows + i * %d + s] * qkv[(n * %d + i) * %d + col];", g.causal() ? "s" : "0", t, t, t, 3 * d);
            out.line("} else {");
            out.line("for (int i = %s; i < %d; i++) sum += p[rows + i * %d + s] * dout[(n * %d + i) * %d + col];", g.causal() ? "s" : "0", t, t, t, d);
            out.line("}");
            out.line("dqkv[e] = sum;");
            out.line("}");
        }

        public long[] global(int batch) { return new long[] {3 * g.time() * g.width() * batch}; }
    }
}
