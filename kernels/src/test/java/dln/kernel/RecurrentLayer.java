package dln.kernel;

import dln.runtime.host.Blas;
import java.util.Arrays;
import java.util.Random;

/**
 * One direction of an rnn, lstm or gru layer over x [N, T, F] as the compiler lowers it: xproj =
 * x·weight_ihᵀ + bias_ih (a Gemm and a bias), then {@link RecurrentForward}; backward
 * {@link RecurrentBackward} and Gemms. A reverse direction writes its half of a bidirectional
 * output (the other half stays zero). Runs on the JVM; the Gemms are {@link Blas#sgemm}.
 */
final class RecurrentLayer {
    final int n, t, f, h, gh, sh;
    final RecurrentCell cell;
    final boolean sequences, reverse;
    final RecurrentForward forward;
    final RecurrentBackward backward;
    final float[] weightIh, weightHh, biasIh, biasHh;

    /** The buffers the forward pass leaves for the backward one. */
    record Pass(float[] xproj, float[] hprev, float[] cells, float[] gates, float[] y) {}

    record Grads(float[] x, float[] weightIh, float[] weightHh, float[] biasIh, float[] biasHh) {}

    /** Random weights; the kernels are named after {@code name} (OpenCL caches kernels by name, so it must differ per shape). */
    RecurrentLayer(String name, RecurrentCell cell, Act act, boolean sequences, boolean reverse, int n, int t, int f, int h, Random r) {
        this.n = n;
        this.t = t;
        this.f = f;
        this.h = h;
        this.gh = cell.gates() * h;
        this.sh = cell.saved() * h;
        this.cell = cell;
        this.sequences = sequences;
        this.reverse = reverse;
        this.forward = new RecurrentForward(name + "_forward", cell, t, h, act, sequences, reverse, reverse);
        this.backward = new RecurrentBackward(name + "_backward", cell, t, h, act, sequences, reverse, reverse);
        double scale = 1 / Math.sqrt(h);
        weightIh = KernelCheck.random(r, gh * f, scale);
        weightHh = KernelCheck.random(r, gh * h, scale);
        biasIh = KernelCheck.random(r, gh, 0.5);
        biasHh = KernelCheck.random(r, gh, 0.5);
    }

    /** y's size for a batch: both halves when this is a reverse direction. */
    int ySize(int batch) { return (sequences ? batch * t : batch) * h * (reverse ? 2 : 1); }

    int ySize() { return ySize(n); }

    int cellsSize(int batch) { return cell == RecurrentCell.LSTM ? batch * (t + 1) * h : 1; }

    Pass forward(float[] x) {
        float[] xproj = new float[n * t * gh];
        Blas.sgemm(false, true, n * t, gh, f, 1, x, 0, f, weightIh, 0, f, 0, xproj, 0, gh);
        for (int row = 0; row < n * t; row++) for (int r = 0; r < gh; r++) xproj[row * gh + r] += biasIh[r];
        Pass p = new Pass(xproj, new float[n * t * h], new float[cellsSize(n)], new float[n * t * sh], new float[ySize()]);
        forward.reference(n, 0, new float[][] {xproj, weightHh, biasHh, p.hprev, p.cells, p.gates, p.y});
        return p;
    }

    /** dgates, and for a gru dhh (else dgates again), for dy. */
    float[][] backwardKernel(Pass p, float[] dy) {
        float[] dgates = new float[n * t * gh];
        float[] dhh = cell == RecurrentCell.GRU ? new float[n * t * gh] : dgates;
        float[][] bufs = {weightHh, p.hprev, p.cells, p.gates, dy, dgates, dhh};
        backward.reference(n, 0, cell == RecurrentCell.GRU ? bufs : Arrays.copyOf(bufs, 6));
        return new float[][] {dgates, dhh};
    }

    Grads backward(float[] x, Pass p, float[] dy) {
        float[][] d = backwardKernel(p, dy);
        float[] dgates = d[0], dhh = d[1];
        float[] dx = new float[x.length], dwIh = new float[gh * f], dwHh = new float[gh * h], dbIh = new float[gh], dbHh = new float[gh];
        Blas.sgemm(false, false, n * t, f, gh, 1, dgates, 0, gh, weightIh, 0, f, 0, dx, 0, f);
        Blas.sgemm(true, false, gh, f, n * t, 1, dgates, 0, gh, x, 0, f, 0, dwIh, 0, f);
        Blas.sgemm(true, false, gh, h, n * t, 1, dhh, 0, gh, p.hprev, 0, h, 0, dwHh, 0, h);
        for (int row = 0; row < n * t; row++) {
            for (int r = 0; r < gh; r++) {
                dbIh[r] += dgates[row * gh + r];
                dbHh[r] += dhh[row * gh + r];
            }
        }
        return new Grads(dx, dwIh, dwHh, dbIh, dbHh);
    }
}
