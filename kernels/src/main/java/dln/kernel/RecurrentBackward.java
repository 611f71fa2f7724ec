package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Backpropagation through time for {@link RecurrentForward}, in one launch: from dy it writes dgates,
 * the gradient with respect to the gates' input side xproj, and for a gru also dhh, the gradient with
 * respect to weight_hh·h + bias_hh (it differs from dgates in the n gate, which r scales: dhh_n =
 * dgates_n·r; for rnn and lstm the two are the same and dgates serves as both). The compiler gets
 * every parameter gradient from them with Gemms: dweight_ih = dgatesᵀ·x, dweight_hh = dhhᵀ·hprev
 * (both viewed [N·T, ·]), dbias_ih and dbias_hh = column sums of dgates and dhh, dx = dgates·weight_ih.
 * Buffers, as the forward kernel left them (H = units, G gates and S saved per step as
 * {@link RecurrentCell} says, D = 2 when bidirectional):
 * <pre>
 *   weight_hh [G·H, H], hprev [N, T, H] (read by a gru), cells [N, T+1, H], gates [N, T, S·H],
 *   dy [N, D·H] or [N, T, D·H] with sequences (this direction's half), dgates [N, T, G·H] (overwritten),
 *   dhh [N, T, G·H] (gru only, overwritten)
 * </pre>
 * No gradient flows to the zero start state. OpenCL: one work-group per example; each work-item
 * keeps dh and dc of its own units in private arrays, and the step's dhh row, which every item needs
 * for the previous state's dh = weight_hhᵀ·dhh_t (+ z·dh_t for a gru), is shared through global
 * memory and a barrier.
 */
public record RecurrentBackward(String name, RecurrentCell cell, long time, long units, Act act, boolean sequences,
                                boolean bidirectional, boolean reverse) implements Kernel {

    public RecurrentBackward {
        Recurrent.check(cell, time, units, act, bidirectional, reverse);
    }

    public List<String> args() {
        return gru() ? List.of("weight_hh", "hprev", "cells", "gates", "dy", "dgates", "dhh")
                : List.of("weight_hh", "hprev", "cells", "gates", "dy", "dgates");
    }

    public void reference(int batch, int step, float[][] bufs) {
        IntStream.range(0, batch).parallel().forEach(n -> example(n, bufs));
    }

    private void example(int n, float[][] bufs) {
        float[] w = bufs[0], hprev = bufs[1], cells = bufs[2], gates = bufs[3], dy = bufs[4], dgates = bufs[5];
        float[] dhh = gru() ? bufs[6] : dgates;
        int T = (int) time, H = (int) units, GH = cell.gates() * H, SH = cell.saved() * H;
        int width = (bidirectional ? 2 : 1) * H, offset = reverse ? H : 0;
        float[] dh = new float[H], dc = new float[H];
        if (!sequences) System.arraycopy(dy, n * width + offset, dh, 0, H);
        for (int s = T - 1; s >= 0; s--) {
            int t = reverse ? T - 1 - s : s;
            int row = (n * T + t) * GH, saved = (n * T + t) * SH;
            if (sequences) for (int j = 0; j < H; j++) dh[j] += dy[(n * T + t) * width + offset + j];
            switch (cell) {
                case RNN -> { for (int j = 0; j < H; j++) dgates[row + j] = dh[j] * act.grad(gates[saved + j], 0f); }
                case LSTM -> {
                    int c = (n * (T + 1) + t) * H;
                    lstmCells(dh, dc, cells, reverse ? c + H : c, reverse ? c : c + H, gates, saved, dgates, row);
                }
                case GRU -> gruCells(dh, hprev, (n * T + t) * H, gates, saved, dgates, dhh, row);
            }
            for (int k = 0; k < H; k++) {
                float sum = 0;
                for (int r = 0; r < GH; r++) sum += w[r * H + k] * dhh[row + r];
                dh[k] = gru() ? sum + dh[k] * gates[saved + H + k] : sum;
            }
        }
    }

    /** The gate gradients of one step from dh_t and dc_t (dc is updated to dc_{t-1}); c_{t-1} at cells[from], c_t at cells[to]. */
    private static void lstmCells(float[] dh, float[] dc, float[] cells, int from, int to, float[] gates, int saved, float[] dgates, int row) {
        int H = dh.length;
        for (int j = 0; j < H; j++) {
            float i = gates[saved + j], f = gates[saved + H + j], g = gates[saved + 2 * H + j], o = gates[saved + 3 * H + j];
            float tc = Act.TANH.apply(cells[to + j], 0f);
            float dcell = dc[j] + dh[j] * o * (1 - tc * tc);
            dgates[row + j] = dcell * g * i * (1 - i);
            dgates[row + H + j] = dcell * cells[from + j] * f * (1 - f);
            dgates[row + 2 * H + j] = dcell * i * (1 - g * g);
            dgates[row + 3 * H + j] = dh[j] * tc * o * (1 - o);
            dc[j] = dcell * f;
        }
    }

    /** The gate gradients of one gru step from dh_t; the previous state at hprev[h]. */
    private static void gruCells(float[] dh, float[] hprev, int h, float[] gates, int saved, float[] dgates, float[] dhh, int row) {
        int H = dh.length;
        for (int j = 0; j < H; j++) {
            float r = gates[saved + j], z = gates[saved + H + j], n = gates[saved + 2 * H + j], hn = gates[saved + 3 * H + j];
            float dn = dh[j] * (1 - z) * (1 - n * n);
            float dz = dh[j] * (hprev[h + j] - n) * z * (1 - z);
            float dr = dn * hn * r * (1 - r);
            dgates[row + j] = dhh[row + j] = dr;
            dgates[row + H + j] = dhh[row + H + j] = dz;
            dgates[row + 2 * H + j] = dn;
            dhh[row + 2 * H + j] = dn * r;
        }
    }

    public void opencl(C out) {
        int T = (int) time, H = (int) units, GH = cell.gates() * H, SH = cell.saved() * H, L = Recurrent.groupSize(units);
        int per = (H + L - 1) / L, width = (bidirectional ? 2 : 1) * H, offset = reverse ? H : 0;
        boolean lstm = cell == RecurrentCell.LSTM;
        out.line("// %s: backward of %s%s(%d) over %d steps; gates [N, %d, %d], dgates%s [N, %d, %d], %sdy %s", name,
                reverse ? "the reverse direction of " : "", cell.kind(), H, T, T, SH, gru() ? ", dhh" : "", T, GH,
                lstm ? "cells [N, " + (T + 1) + ", " + H + "], " : "", sequences ? "[N, " + T + ", " + width + "]" : "[N, " + width + "]");
        if (gru()) out.kernel(name, "const weight_hh", "const hprev", "const cells", "const gates", "const dy", "dgates", "dhh");
        else out.kernel(name, "const weight_hh", "const hprev", "const cells", "const gates", "const dy", "dgates");
        Recurrent.openGroup(out);
        out.line(lstm ? "float dh[%d], dc[%1$d]; // dh_t and dc_t of units lid + p * %d" : "float dh[%d]; // dh_t of units lid + p * %d", per, L);
        out.line("for (int p = 0; p < %d; p++) {", per);
        if (sequences) out.line("dh[p] = 0.0f;");
        else out.line("dh[p] = lid + p * %d < %d ? dy[n * %d + %d + lid + p * %1$d] : 0.0f;", L, H, width, offset);
        if (lstm) out.line("dc[p] = 0.0f;");
        out.line("}");
        out.line("for (int s = %d; s >= 0; s--) {", T - 1);
        out.line(reverse ? "const int t = " + (T - 1) + " - s; // the reverse direction" : "const int t = s;");
        out.line("__global const float* a = gates + (n * %d + t) * %d;", T, SH);
        out.line("__global float* d = dgates + (n * %d + t) * %d;", T, GH);
        if (gru()) out.line("__global float* e = dhh + (n * %d + t) * %d;", T, GH);
        if (lstm) out.line("__global const float* c = cells + (n * %d + t) * %d; // c_t-1 at c[%s + j], c_t at c[%s + j]", T + 1, H, reverse ? H : 0, reverse ? 0 : H);
        out.line("for (int p = 0; p < %d; p++) {", per);
        out.line("const int j = lid + p * %d;", L);
        out.line("if (j >= %d) break;", H);
        if (sequences) out.line("dh[p] += dy[(n * %d + t) * %d + %d + j];", T, width, offset);
        switch (cell) {
            case RNN -> out.line("d[j] = dh[p] * %s;", gradFromOutput("a[j]"));
            case LSTM -> lstmStep(out, H);
            case GRU -> gruStep(out, H, T);
        }
        out.line("}");
        out.line("barrier(CLK_GLOBAL_MEM_FENCE); // every item reads the whole row");
        out.line("for (int p = 0; p < %d; p++) {", per);
        out.line("const int k = lid + p * %d;", L);
        out.line("if (k >= %d) break;", H);
        out.line("float sum = 0.0f;");
        out.line("for (int r = 0; r < %d; r++) sum += weight_hh[r * %d + k] * %s[r];", GH, H, gru() ? "e" : "d");
        out.line(gru() ? "dh[p] = sum + dh[p] * a[" + H + " + k]; // h_t = ... + z·h_t-1" : "dh[p] = sum;");
        out.line("}");
        out.line("}");
        out.line("}");
    }

    private void lstmStep(C out, int H) {
        out.line("const float i = a[j], f = a[%d + j], g = a[%d + j], o = a[%d + j];", H, 2 * H, 3 * H);
        out.line("const float tc = %s;", Act.TANH.opencl("c[" + (reverse ? 0 : H) + " + j]", "0.0f"));
        out.line("const float dcell = dc[p] + dh[p] * o * (1.0f - tc * tc);");
        out.line("d[j] = dcell * g * i * (1.0f - i);");
        out.line("d[%d + j] = dcell * c[%s + j] * f * (1.0f - f);", H, reverse ? H : 0);
        out.line("d[%d + j] = dcell * i * (1.0f - g * g);", 2 * H);
        out.line("d[%d + j] = dh[p] * tc * o * (1.0f - o);", 3 * H);
        out.line("dc[p] = dcell * f;");
    }

    private static void gruStep(C out, int H, int T) {
        out.line("const float r = a[j], z = a[%d + j], nj = a[%d + j], hn = a[%d + j];", H, 2 * H, 3 * H);
        out.line("const float dn = dh[p] * (1.0f - z) * (1.0f - nj * nj);");
        out.line("const float dz = dh[p] * (hprev[(n * %d + t) * %d + j] - nj) * z * (1.0f - z);", T, H);
        out.line("const float dr = dn * hn * r * (1.0f - r);");
        out.line("d[j] = dr; d[%d + j] = dz; d[%d + j] = dn;", H, 2 * H);
        out.line("e[j] = dr; e[%d + j] = dz; e[%d + j] = dn * r;", H, 2 * H);
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

    private boolean gru() { return cell == RecurrentCell.GRU; }

    public long[] global(int batch) { return new long[] {(long) batch * local()[0]}; }

    public long[] local() { return new long[] {Recurrent.groupSize(units)}; }
}
