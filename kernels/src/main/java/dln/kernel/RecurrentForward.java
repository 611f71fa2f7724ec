package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The sequential part of an {@code rnn(units)} or {@code lstm(units)} layer over all {@code time}
 * steps in one launch. The input projection is done before it by a Gemm and a bias kernel, so
 * {@code xproj} already holds x·weight_ihᵀ + bias_ih. With H = units, G = 4 for an LSTM (gates i, f,
 * g, o in PyTorch's order) and 1 for an rnn:
 * <pre>
 *   xproj     [N, T, G·H]  in
 *   weight_hh [G·H, H]     in
 *   bias_hh   [G·H]        in
 *   hprev     [N, T, H]    out: h_{t-1} for each t, zeros at t = 0 (so that dweight_hh = dgatesᵀ·hprev is one Gemm)
 *   cells     [N, T+1, H]  out: LSTM cell states, c_{-1} = 0 at index 0, c_t at t+1 (rnn: one unused float)
 *   gates     [N, T, G·H]  out: LSTM activated gates i, f, g, o; rnn: h_t
 *   y         [N, H], or [N, T, H] with sequences
 * </pre>
 * An rnn applies {@code act} (tanh, relu, sigmoid or linear); an LSTM always uses sigmoid and tanh and
 * ignores it. OpenCL: one work-group per example, work-items over the units, a barrier between time
 * steps; h_{t-1} is read from {@code hprev} in global memory, which holds it anyway and has no size
 * limit, where local memory would cap the units.
 */
public record RecurrentForward(String name, boolean lstm, long time, long units, Act act, boolean sequences) implements Kernel {

    public RecurrentForward {
        if (time < 1 || units < 1) throw new IllegalArgumentException("time and units must be positive: " + time + ", " + units);
        if (!lstm) Recurrent.checkRnnActivation(act);
    }

    public List<String> args() { return List.of("xproj", "weight_hh", "bias_hh", "hprev", "cells", "gates", "y"); }

    public void reference(int batch, int step, float[][] bufs) {
        IntStream.range(0, batch).parallel().forEach(n -> example(n, bufs));
    }

    private void example(int n, float[][] bufs) {
        float[] xproj = bufs[0], w = bufs[1], bias = bufs[2], hprev = bufs[3], cells = bufs[4], gates = bufs[5], y = bufs[6];
        int T = (int) time, H = (int) units, GH = gates();
        float[] h = new float[H], z = new float[GH];
        if (lstm) Arrays.fill(cells, n * (T + 1) * H, (n * (T + 1) + 1) * H, 0f);
        for (int t = 0; t < T; t++) {
            int row = (n * T + t) * GH;
            System.arraycopy(h, 0, hprev, (n * T + t) * H, H);
            for (int r = 0; r < GH; r++) {
                float s = xproj[row + r] + bias[r];
                for (int k = 0; k < H; k++) s += w[r * H + k] * h[k];
                z[r] = s;
            }
            if (lstm) lstmCells(z, cells, (n * (T + 1) + t) * H, gates, row, h);
            else for (int j = 0; j < H; j++) gates[row + j] = h[j] = act.apply(z[j], 0f);
            if (sequences) System.arraycopy(h, 0, y, (n * T + t) * H, H);
        }
        if (!sequences) System.arraycopy(h, 0, y, n * H, H);
    }

    /** c_t = f·c_{t-1} + i·g and h_t = o·tanh(c_t) from the pre-activations z; c_{t-1} at cells[c]. */
    private void lstmCells(float[] z, float[] cells, int c, float[] gates, int row, float[] h) {
        int H = (int) units;
        for (int j = 0; j < H; j++) {
            float i = Act.SIGMOID.apply(z[j], 0f), f = Act.SIGMOID.apply(z[H + j], 0f);
            float g = Act.TANH.apply(z[2 * H + j], 0f), o = Act.SIGMOID.apply(z[3 * H + j], 0f);
            float cell = f * cells[c + j] + i * g;
            cells[c + H + j] = cell;
            h[j] = o * Act.TANH.apply(cell, 0f);
            gates[row + j] = i;
            gates[row + H + j] = f;
            gates[row + 2 * H + j] = g;
            gates[row + 3 * H + j] = o;
        }
    }

    public void opencl(C out) {
        int T = (int) time, H = (int) units, GH = gates();
        out.line("// %s: %s(%d) over %d steps; xproj, gates [N, %d, %d], hprev [N, %d, %d], %sy %s", name, lstm ? "lstm" : "rnn", H, T,
                T, GH, T, H, lstm ? "cells [N, " + (T + 1) + ", " + H + "], " : "", sequences ? "[N, " + T + ", " + H + "]" : "[N, " + H + "]");
        out.kernel(name, "const xproj", "const weight_hh", "const bias_hh", "hprev", "cells", "gates", "y");
        Recurrent.openGroup(out);
        out.line("for (int j = lid; j < %d; j += %d) {", H, local()[0]);
        out.line("hprev[n * %d + j] = 0.0f;", T * H);
        if (lstm) out.line("cells[n * %d + j] = 0.0f;", (T + 1) * H);
        out.line("}");
        out.line("barrier(CLK_GLOBAL_MEM_FENCE);");
        out.line("for (int t = 0; t < %d; t++) {", T);
        out.line("__global const float* h = hprev + (n * %d + t) * %d; // h_{t-1}", T, H);
        out.line("__global const float* x = xproj + (n * %d + t) * %d;", T, GH);
        out.line("__global float* a = gates + (n * %d + t) * %d;", T, GH);
        if (lstm) out.line("__global float* c = cells + (n * %d + t) * %d; // c_{t-1}; c_t at c[%d + j]", T + 1, H, H);
        out.line("for (int j = lid; j < %d; j += %d) {", H, local()[0]);
        if (lstm) lstmStep(out, H); else rnnStep(out, H);
        out.line("if (t + 1 < %d) hprev[(n * %d + t + 1) * %d + j] = hj;", T, T, H);
        if (sequences) out.line("y[(n * %d + t) * %d + j] = hj;", T, H);
        else out.line("if (t == %d) y[n * %d + j] = hj;", T - 1, H);
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

    private void lstmStep(C out, int H) {
        String[] gate = {"i", "f", "g", "o"};
        for (int q = 0; q < 4; q++) {
            String row = q == 0 ? "j" : q * H + " + j";
            out.line("float z%s = x[%s] + bias_hh[%<s];", gate[q], row);
            out.line("__global const float* w%s = weight_hh + %s * %d;", gate[q], q == 0 ? row : "(" + row + ")", H);
        }
        out.line("for (int k = 0; k < %d; k++) {", H);
        out.line("const float hk = h[k];");
        out.line("zi += wi[k] * hk; zf += wf[k] * hk; zg += wg[k] * hk; zo += wo[k] * hk;");
        out.line("}");
        out.line("const float i = %s, f = %s;", Act.SIGMOID.opencl("zi", "0.0f"), Act.SIGMOID.opencl("zf", "0.0f"));
        out.line("const float g = %s, o = %s;", Act.TANH.opencl("zg", "0.0f"), Act.SIGMOID.opencl("zo", "0.0f"));
        out.line("const float cj = f * c[j] + i * g;");
        out.line("c[%d + j] = cj;", H);
        out.line("const float hj = o * %s;", Act.TANH.opencl("cj", "0.0f"));
        out.line("a[j] = i; a[%d + j] = f; a[%d + j] = g; a[%d + j] = o;", H, 2 * H, 3 * H);
    }

    private int gates() { return (lstm ? 4 : 1) * (int) units; }

    public long[] global(int batch) { return new long[] {(long) batch * local()[0]}; }

    public long[] local() { return new long[] {Recurrent.groupSize(units)}; }
}
