package dln.kernel;

import dln.runtime.host.Blas;
import java.util.Random;

/**
 * A whole rnn or lstm layer over x [N, T, F] as the compiler lowers it: xproj = x·weight_ihᵀ + bias_ih
 * (a Gemm and a bias), then {@link RecurrentForward}; backward {@link RecurrentBackward} and Gemms.
 * Runs on the JVM; the Gemms are {@link Blas#sgemm}.
 */
final class RecurrentLayer {
    final int n, t, f, h, gh;
    final boolean lstm, sequences;
    final RecurrentForward forward;
    final RecurrentBackward backward;
    final float[] weightIh, weightHh, biasIh, biasHh;

    /** The buffers the forward pass leaves for the backward one. */
    record Pass(float[] xproj, float[] hprev, float[] cells, float[] gates, float[] y) {}

    record Grads(float[] x, float[] weightIh, float[] weightHh, float[] biasIh, float[] biasHh) {}

    /** Random weights; the kernels are named after {@code name} (OpenCL caches kernels by name, so it must differ per shape). */
    RecurrentLayer(String name, boolean lstm, Act act, boolean sequences, int n, int t, int f, int h, Random r) {
        this.n = n;
        this.t = t;
        this.f = f;
        this.h = h;
        this.gh = (lstm ? 4 : 1) * h;
        this.lstm = lstm;
        this.sequences = sequences;
        this.forward = new RecurrentForward(name + "_forward", lstm, t, h, act, sequences);
        this.backward = new RecurrentBackward(name + "_backward", lstm, t, h, act, sequences);
        double scale = 1 / Math.sqrt(h);
        weightIh = KernelCheck.random(r, gh * f, scale);
        weightHh = KernelCheck.random(r, gh * h, scale);
        biasIh = KernelCheck.random(r, gh, 0.5);
        biasHh = KernelCheck.random(r, gh, 0.5);
    }

    int ySize() { return sequences ? n * t * h : n * h; }

    Pass forward(float[] x) {
        float[] xproj = new float[n * t * gh];
        Blas.sgemm(false, true, n * t, gh, f, 1, x, 0, f, weightIh, 0, f, 0, xproj, 0, gh);
        for (int row = 0; row < n * t; row++) for (int r = 0; r < gh; r++) xproj[row * gh + r] += biasIh[r];
        Pass p = new Pass(xproj, new float[n * t * h], new float[lstm ? n * (t + 1) * h : 1], new float[n * t * gh], new float[ySize()]);
        forward.reference(n, 0, new float[][] {xproj, weightHh, biasHh, p.hprev, p.cells, p.gates, p.y});
        return p;
    }

    Grads backward(float[] x, Pass p, float[] dy) {
        float[] dgates = new float[n * t * gh];
        backward.reference(n, 0, new float[][] {weightHh, p.hprev, p.cells, p.gates, dy, dgates});
        float[] dx = new float[x.length], dwIh = new float[gh * f], dwHh = new float[gh * h], db = new float[gh];
        Blas.sgemm(false, false, n * t, f, gh, 1, dgates, 0, gh, weightIh, 0, f, 0, dx, 0, f);
        Blas.sgemm(true, false, gh, f, n * t, 1, dgates, 0, gh, x, 0, f, 0, dwIh, 0, f);
        Blas.sgemm(true, false, gh, h, n * t, 1, dgates, 0, gh, p.hprev, 0, h, 0, dwHh, 0, h);
        for (int row = 0; row < n * t; row++) for (int r = 0; r < gh; r++) db[r] += dgates[row * gh + r];
        return new Grads(dx, dwIh, dwHh, db, db.clone());
    }
}
