package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The sequential part of an {@code rnn}, {@code lstm} or {@code gru} layer over all {@code time} steps
 * in one launch, for one direction. The input projection is done before it by a Gemm and a bias
 * kernel, so {@code xproj} already holds x·weight_ihᵀ + bias_ih. With H = units, G the cell's gates
 * (rnn 1, lstm 4: i, f, g, o, gru 3: r, z, n, PyTorch's order) and S what it saves per step
 * ({@link RecurrentCell#saved}):
 * <pre>
 *   xproj     [N, T, G·H]  in
 *   weight_hh [G·H, H]     in
 *   bias_hh   [G·H]        in
 *   hprev     [N, T, H]    out: the state step t started from (zeros for the first step), so that
 *                          dweight_hh = dgatesᵀ·hprev is one Gemm
 *   cells     [N, T+1, H]  out: LSTM cell states, the zero start at index 0 and c_t at t+1 (reverse: the
 *                          start at T and c_t at t); rnn and gru: one unused float
 *   gates     [N, T, S·H]  out: LSTM activated gates i, f, g, o; gru r, z, n and W_hn·h + b_hn; rnn h_t
 *   y         [N, D·H], or [N, T, D·H] with sequences: D = 2 when bidirectional, this direction's half
 *               at offset 0 (forward) or H (reverse)
 * </pre>
 * The reverse direction runs t = T-1 down to 0, and its last state (without sequences) is the one
 * after step 0, as PyTorch's h_n. An rnn applies {@code act} (tanh, relu, sigmoid or linear); the
 * gated cells always use sigmoid and tanh and ignore it. OpenCL: one work-group per example,
 * work-items over the units, a barrier between time steps; the previous state is read from
 * {@code hprev} in global memory, which holds it anyway and has no size limit, where local memory
 * would cap the units.
 */
public record RecurrentForward(String name, RecurrentCell cell, long time, long units, Act act, boolean sequences,
                               boolean bidirectional, boolean reverse) implements Kernel {

    public RecurrentForward {
        Recurrent.check(cell, time, units, act, bidirectional, reverse);
    }

    public List<String> args() { return List.of("xproj", "weight_hh", "bias_hh", "hprev", "cells", "gates", "y"); }

    public void reference(int batch, int step, float[][] bufs) {
        IntStream.range(0, batch).parallel().forEach(n -> example(n, bufs));
    }

    private void example(int n, float[][] bufs) {
        float[] xproj = bufs[0], w = bufs[1], bias = bufs[2], hprev = bufs[3], cells = bufs[4], gates = bufs[5], y = bufs[6];
        int T = (int) time, H = (int) units, GH = cell.gates() * H, SH = cell.saved() * H;
        int width = width(), offset = reverse ? H : 0;
        float[] h = new float[H], z = new float[GH];
        if (cell == RecurrentCell.LSTM) Arrays.fill(cells, cellIndex(n, reverse ? T : 0), cellIndex(n, reverse ? T : 0) + H, 0f);
        for (int s = 0; s < T; s++) {
            int t = reverse ? T - 1 - s : s;
            int row = (n * T + t) * GH, saved = (n * T + t) * SH;
            System.arraycopy(h, 0, hprev, (n * T + t) * H, H);
            for (int r = 0; r < GH; r++) {
                // a gru's n keeps W_hn·h + b_hn apart: r scales it
                float sum = cell == RecurrentCell.GRU && r >= 2 * H ? bias[r] : xproj[row + r] + bias[r];
                for (int k = 0; k < H; k++) sum += w[r * H + k] * h[k];
                z[r] = sum;
            }
            switch (cell) {
                case RNN -> { for (int j = 0; j < H; j++) gates[saved + j] = h[j] = act.apply(z[j], 0f); }
                case LSTM -> lstmCells(z, cells, cellIndex(n, reverse ? t + 1 : t), cellIndex(n, reverse ? t : t + 1), gates, saved, h);
                case GRU -> gruCells(xproj, row, z, gates, saved, h);
            }
            if (sequences) System.arraycopy(h, 0, y, (n * T + t) * width + offset, H);
        }
        if (!sequences) System.arraycopy(h, 0, y, n * width + offset, H);
    }

    private int cellIndex(int n, int t) { return (n * ((int) time + 1) + t) * (int) units; }

    /** c_t = f·c_{t-1} + i·g and h_t = o·tanh(c_t) from the pre-activations z; c_{t-1} at cells[from], c_t to cells[to]. */
    private void lstmCells(float[] z, float[] cells, int from, int to, float[] gates, int row, float[] h) {
        int H = (int) units;
        for (int j = 0; j < H; j++) {
            float i = Act.SIGMOID.apply(z[j], 0f), f = Act.SIGMOID.apply(z[H + j], 0f);
            float g = Act.TANH.apply(z[2 * H + j], 0f), o = Act.SIGMOID.apply(z[3 * H + j], 0f);
            float c = f * cells[from + j] + i * g;
            cells[to + j] = c;
            h[j] = o * Act.TANH.apply(c, 0f);
            gates[row + j] = i;
            gates[row + H + j] = f;
            gates[row + 2 * H + j] = g;
            gates[row + 3 * H + j] = o;
        }
    }

    /** r, z and n from the pre-activations z (its n part W_hn·h + b_hn alone) and xproj[row..]; h becomes (1 − z)·n + z·h. */
    private void gruCells(float[] xproj, int row, float[] hh, float[] gates, int saved, float[] h) {
        int H = (int) units;
        for (int j = 0; j < H; j++) {
            float r = Act.SIGMOID.apply(hh[j], 0f), z = Act.SIGMOID.apply(hh[H + j], 0f);
            float hn = hh[2 * H + j], n = Act.TANH.apply(xproj[row + 2 * H + j] + r * hn, 0f);
            gates[saved + j] = r;
            gates[saved + H + j] = z;
            gates[saved + 2 * H + j] = n;
            gates[saved + 3 * H + j] = hn;
            h[j] = (1 - z) * n + z * h[j];
        }
    }

    public void opencl(C out) {
        int T = (int) time, H = (int) units, GH = cell.gates() * H, SH = cell.saved() * H, width = width();
        boolean lstm = cell == RecurrentCell.LSTM;
        out.line("// %s: %s%s(%d) over %d steps; xproj [N, %d, %d], gates [N, %d, %d], hprev [N, %d, %d], %sy %s", name,
                reverse ? "reverse direction of " : "", cell.kind(), H, T, T, GH, T, SH, T, H,
                lstm ? "cells [N, " + (T + 1) + ", " + H + "], " : "", sequences ? "[N, " + T + ", " + width + "]" : "[N, " + width + "]");
        out.kernel(name, "const xproj", "const weight_hh", "const bias_hh", "hprev", "cells", "gates", "y");
        Recurrent.openGroup(out);
        out.line("for (int j = lid; j < %d; j += %d) {", H, local()[0]);
        out.line("hprev[(n * %d + %d) * %d + j] = 0.0f;", T, reverse ? T - 1 : 0, H);
        if (lstm) out.line("cells[(n * %d + %d) * %d + j] = 0.0f;", T + 1, reverse ? T : 0, H);
        out.line("}");
        out.line("barrier(CLK_GLOBAL_MEM_FENCE);");
        out.line("for (int s = 0; s < %d; s++) {", T);
        out.line(reverse ? "const int t = " + (T - 1) + " - s; // the reverse direction" : "const int t = s;");
        out.line("__global const float* h = hprev + (n * %d + t) * %d; // the state this step starts from", T, H);
        out.line("__global const float* x = xproj + (n * %d + t) * %d;", T, GH);
        out.line("__global float* a = gates + (n * %d + t) * %d;", T, SH);
        if (lstm) out.line("__global float* c = cells + (n * %d + t) * %d; // c_t-1 at c[%s + j], c_t at c[%s + j]", T + 1, H, reverse ? H : 0, reverse ? 0 : H);
        out.line("for (int j = lid; j < %d; j += %d) {", H, local()[0]);
        switch (cell) {
            case RNN -> rnnStep(out, H);
            case LSTM -> lstmStep(out, H);
            case GRU -> gruStep(out, H);
        }
        out.line(reverse ? "if (t > 0) hprev[(n * %d + t - 1) * %d + j] = hj;" : "if (t + 1 < %d) hprev[(n * %<d + t + 1) * %d + j] = hj;", T, H);
        if (sequences) out.line("y[(n * %d + t) * %d + %s + j] = hj;", T, width, reverse ? H : 0);
        else out.line("if (s == %d) y[n * %d + %s + j] = hj;", T - 1, width, reverse ? H : 0);
        out.line("}");
        out.line("barrier(CLK_GLOBAL_MEM_FENCE);");
        out.line("}");
        out.line("}");
    }

    private void rnnStep(C out, int H) {
        out.line("float z = x[j] + bias_hh[j];");
        out.line("__global const float* w = weight_hh + j * %d;", H);
        out.line("for (int k = 0; k < %d; k++) z += w[k] * h[k];", H);
        out.line("const float hj = %s;", act.opencl("z", "0.0f"));
        out.line("a[j] = hj;");
    }

    /**
     * Each gate's pre-activation xproj + bias_hh + weight_hh·h as z{gate} (its rows q·H + j), but the
     * last {@code apart} gates' without xproj.
     */
    private static void hiddenProducts(C out, int H, int apart, String... gate) {
        for (int q = 0; q < gate.length; q++) {
            String row = q == 0 ? "j" : q * H + " + j";
            out.line(q < gate.length - apart ? "float z%s = x[%s] + bias_hh[%<s];" : "float z%s = bias_hh[%s];", gate[q], row);
            out.line("__global const float* w%s = weight_hh + %s * %d;", gate[q], q == 0 ? row : "(" + row + ")", H);
        }
        out.line("for (int k = 0; k < %d; k++) {", H);
        out.line("const float hk = h[k];");
        StringBuilder sums = new StringBuilder();
        for (String g : gate) sums.append(sums.length() == 0 ? "" : " ").append("z").append(g).append(" += w").append(g).append("[k] * hk;");
        out.line(sums.toString());
        out.line("}");
    }

    private void lstmStep(C out, int H) {
        hiddenProducts(out, H, 0, "i", "f", "g", "o");
        out.line("const float i = %s, f = %s;", Act.SIGMOID.opencl("zi", "0.0f"), Act.SIGMOID.opencl("zf", "0.0f"));
        out.line("const float g = %s, o = %s;", Act.TANH.opencl("zg", "0.0f"), Act.SIGMOID.opencl("zo", "0.0f"));
        out.line("const float cj = f * c[%s + j] + i * g;", reverse ? H : 0);
        out.line("c[%s + j] = cj;", reverse ? 0 : H);
        out.line("const float hj = o * %s;", Act.TANH.opencl("cj", "0.0f"));
        out.line("a[j] = i; a[%d + j] = f; a[%d + j] = g; a[%d + j] = o;", H, 2 * H, 3 * H);
    }

    private void gruStep(C out, int H) {
        hiddenProducts(out, H, 1, "r", "z", "n"); // zn is W_hn·h + b_hn alone: r scales it
        out.line("const float r = %s, z = %s;", Act.SIGMOID.opencl("zr", "0.0f"), Act.SIGMOID.opencl("zz", "0.0f"));
        out.line("const float xn = x[%d + j] + r * zn;", 2 * H);
        out.line("const float nj = %s;", Act.TANH.opencl("xn", "0.0f"));
        out.line("const float hj = (1.0f - z) * nj + z * h[j];");
        out.line("a[j] = r; a[%d + j] = z; a[%d + j] = nj; a[%d + j] = zn;", H, 2 * H, 3 * H);
    }

    /** Values per row of y: both directions' when bidirectional. */
    private int width() { return (bidirectional ? 2 : 1) * (int) units; }

    public long[] global(int batch) { return new long[] {(long) batch * local()[0]}; }

    public long[] local() { return new long[] {Recurrent.groupSize(units)}; }
}
