package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Backpropagation through time for {@link RecurrentForward}, in one launch: from dy it writes dgates,
 * the gradient with respect to the gate pre-activations (= d xproj = d(hprev·weight_hhᵀ + bias_hh)).
 * The compiler gets every parameter gradient from it with Gemms: dweight_ih = dgatesᵀ·x, dweight_hh =
 * dgatesᵀ·hprev (both viewed [N·T, ·]), dbias_ih = dbias_hh = column sums of dgates, dx = dgates·weight_ih.
 * Buffers, as the forward kernel left them (H = units, G = 4 for an LSTM, 1 for an rnn):
 * <pre>
 *   weight_hh [G·H, H], hprev [N, T, H] (not read: it is for the dweight_hh Gemm), cells [N, T+1, H],
 *   gates [N, T, G·H], dy [N, H] or [N, T, H] with sequences, dgates [N, T, G·H] (overwritten)
 * </pre>
 * No gradient flows to h_{-1} and c_{-1}, which are zeros. OpenCL: one work-group per example; each
 * work-item keeps dh and dc of its own units in private arrays, and the step's dgates row, which every
 * item needs for dh_{t-1} = weight_hhᵀ·dgates_t, is shared through global memory and a barrier.
 */
public record RecurrentBackward(String name, boolean lstm, long time, long units, Act act, boolean sequences) implements Kernel {

    public RecurrentBackward {
        if (time < 1 || units < 1) throw new IllegalArgumentException("time and units must be positive: " + time + ", " + units);
        if (!lstm) Recurrent.checkRnnActivation(act);
    }

    public List<String> args() { return List.of("weight_hh", "hprev", "cells", "gates", "dy", "dgates"); }

    public void reference(int batch, int step, float[][] bufs) {
        IntStream.range(0, batch).parallel().forEach(n -> example(n, bufs));
    }

    private void example(int n, float[][] bufs) {
        float[] w = bufs[0], cells = bufs[2], gates = bufs[3], dy = bufs[4], dgates = bufs[5];
        int T = (int) time, H = (int) units, GH = gates();
        float[] dh = new float[H], dc = new float[H];
        if (!sequences) System.arraycopy(dy, n * H, dh, 0, H);
        for (int t = T - 1; t >= 0; t--) {
            int row = (n * T + t) * GH;
            if (sequences) for (int j = 0; j < H; j++) dh[j] += dy[(n * T + t) * H + j];
            if (lstm) lstmCells(dh, dc, cells, (n * (T + 1) + t) * H, gates, dgates, row);
            else for (int j = 0; j < H; j++) dgates[row + j] = dh[j] * act.grad(gates[row + j], 0f);
            for (int k = 0; k < H; k++) {
                float s = 0;
                for (int r = 0; r < GH; r++) s += w[r * H + k] * dgates[row + r];
                dh[k] = s;
            }
        }
    }

    /** The gate gradients of one step from dh_t and dc_t (dc is updated to dc_{t-1}); c_{t-1} at cells[c]. */
    private static void lstmCells(float[] dh, float[] dc, float[] cells, int c, float[] gates, float[] dgates, int row) {
        int H = dh.length;
        for (int j = 0; j < H; j++) {
            float i = gates[row + j], f = gates[row + H + j], g = gates[row + 2 * H + j], o = gates[row + 3 * H + j];
            float tc = Act.TANH.apply(cells[c + H + j], 0f);
            float dcell = dc[j] + dh[j] * o * (1 - tc * tc);
            dgates[row + j] = dcell * g * i * (1 - i);
            dgates[row + H + j] = dcell * cells[c + j] * f * (1 - f);
            dgates[row + 2 * H + j] = dcell * i * (1 - g * g);
            dgates[row + 3 * H + j] = dh[j] * tc * o * (1 - o);
            dc[j] = dcell * f;
        }
    }

    public void opencl(C out) {
        int T = (int) time, H = (int) units, GH = gates(), L = Recurrent.groupSize(units);
        int per = (H + L - 1) / L;
        out.line("// %s: backward of %s(%d) over %d steps; gates, dgates [N, %d, %d], %sdy %s", name, lstm ? "lstm" : "rnn", H, T,
                T, GH, lstm ? "cells [N, " + (T + 1) + ", " + H + "], " : "", sequences ? "[N, " + T + ", " + H + "]" : "[N, " + H + "]");
        out.kernel(name, "const weight_hh", "const hprev", "const cells", "const gates", "const dy", "dgates");
        Recurrent.openGroup(out);
        out.line(lstm ? "float dh[%d], dc[%1$d]; // dh_t and dc_t of units lid + p * %d" : "float dh[%d]; // dh_t of units lid + p * %d", per, L);
        out.line("for (int p = 0; p < %d; p++) {", per);
        if (sequences) out.line("dh[p] = 0.0f;");
        else out.line("dh[p] = lid + p * %d < %d ? dy[n * %d + lid + p * %1$d] : 0.0f;", L, H, H);
        if (lstm) out.line("dc[p] = 0.0f;");
        out.line("}");
        out.line("for (int t = %d; t >= 0; t--) {", T - 1);
        out.line("__global const float* a = gates + (n * %d + t) * %d;", T, GH);
        out.line("__global float* d = dgates + (n * %d + t) * %d;", T, GH);
        if (lstm) out.line("__global const float* c = cells + (n * %d + t) * %d; // c_{t-1}; c_t at c[%d + j]", T + 1, H, H);
        out.line("for (int p = 0; p < %d; p++) {", per);
        out.line("const int j = lid + p * %d;", L);
        out.line("if (j >= %d) break;", H);
        if (sequences) out.line("dh[p] += dy[(n * %d + t) * %d + j];", T, H);
        if (lstm) lstmStep(out, H); else out.line("d[j] = dh[p] * %s;", gradFromOutput("a[j]"));
        out.line("}");
        out.line("barrier(CLK_GLOBAL_MEM_FENCE); // every item reads the whole dgates row");
        out.line("for (int p = 0; p < %d; p++) {", per);
        out.line("const int k = lid + p * %d;", L);
        out.line("if (k >= %d) break;", H);
        out.line("float s = 0.0f;");
        out.line("for (int r = 0; r < %d; r++) s += weight_hh[r * %d + k] * d[r];", GH, H);
        out.line("dh[p] = s;");
        out.line("}");
        out.line("}");
        out.line("}");
    }

    private void lstmStep(C out, int H) {
        out.line("const float i = a[j], f = a[%d + j], g = a[%d + j], o = a[%d + j];", H, 2 * H, 3 * H);
        out.line("const float cj = c[%d + j];", H);
        out.line("const float tc = %s;", Act.TANH.opencl("cj", "0.0f"));
        out.line("const float dcell = dc[p] + dh[p] * o * (1.0f - tc * tc);");
        out.line("d[j] = dcell * g * i * (1.0f - i);");
        out.line("d[%d + j] = dcell * c[j] * f * (1.0f - f);", H);
        out.line("d[%d + j] = dcell * i * (1.0f - g * g);", 2 * H);
        out.line("d[%d + j] = dh[p] * tc * o * (1.0f - o);", 3 * H);
        out.line("dc[p] = dcell * f;");
    }

    /** The activation's derivative as a C expression of its output y, as {@link Act#grad} computes it. */
    private String gradFromOutput(String y) {
        return switch (act) {
            case TANH -> "(1.0f - " + y + " * " + y + ")";
            case SIGMOID -> "(" + y + " * (1.0f - " + y + "))";
            case RELU -> "(" + y + " > 0.0f ? 1.0f : 0.0f)";
            case LINEAR -> "1.0f";
            default -> throw new IllegalStateException("not an rnn activation: " + act);
        };
    }

    private int gates() { return (lstm ? 4 : 1) * (int) units; }

    public long[] global(int batch) { return new long[] {(long) batch * local()[0]}; }

    public long[] local() { return new long[] {Recurrent.groupSize(units)}; }
}
