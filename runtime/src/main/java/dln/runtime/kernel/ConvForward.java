package dln.runtime.kernel;

import dln.runtime.jvm.Blas;
import java.util.List;

/**
 * y [N, outC, out] = x [N, inC, in] convolved with weight [outC, inC, kernel], overwritten, no bias
 * (a {@link BiasAct} follows). Java: per example, the unfolded input times the weights through BLAS.
 * OpenCL: see {@link ConvRows}.
 */
public record ConvForward(String name, ConvGeom g) implements Kernel {

    public List<String> args() { return List.of("x", "weight", "y"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], w = bufs[1], y = bufs[2];
        int taps = (int) g.taps(), positions = (int) g.outVolume(), outC = (int) g.outChannels();
        int inSize = (int) (g.inChannels() * g.inVolume()), outSize = outC * positions;
        ParallelFor.range(batch, (long) taps * outSize, n -> {
            float[] col = Im2col.scratch(taps * positions);
            Im2col.unfold(g, x, n * inSize, col);
            Blas.sgemm(false, false, outC, positions, taps, 1, w, 0, taps, col, 0, positions, 0, y, n * outSize, positions);
        });
    }

    public void opencl(C out) { ConvRows.emit(out, name, g, false, "x", "y"); }

    public long[] global(int batch) { return ConvRows.global(g, false, batch); }

    @Override public long[] local() { return ConvRows.local(); }
}
