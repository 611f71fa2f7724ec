package dln.runtime.kernel;

import dln.runtime.jvm.Blas;
import java.util.Arrays;
import java.util.List;

/**
 * dx [N, inC, in] from dy [N, outC, out] and weight [outC, inC, kernel]: the convolution transposed,
 * overwritten. Java: per example, weightᵀ·dy through BLAS, folded back onto the input. OpenCL: each
 * input element gathers from the outputs whose windows cover it (no atomics); see {@link ConvRows}.
 */
public record ConvBackwardData(String name, ConvGeom g) implements Kernel {

    public List<String> args() { return List.of("dy", "weight", "dx"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] dy = bufs[0], w = bufs[1], dx = bufs[2];
        int taps = (int) g.taps(), positions = (int) g.outVolume(), outC = (int) g.outChannels();
        int inSize = (int) (g.inChannels() * g.inVolume()), outSize = outC * positions;
        ParallelFor.range(batch, (long) taps * outSize, n -> {
            float[] col = Im2col.scratch(taps * positions);
            Blas.sgemm(true, false, taps, positions, outC, 1, w, 0, taps, dy, n * outSize, positions, 0, col, 0, positions);
            Arrays.fill(dx, n * inSize, (n + 1) * inSize, 0);
            Im2col.fold(g, col, dx, n * inSize);
        });
    }

    public void opencl(C out) { ConvRows.emit(out, name, g, true, "dy", "dx"); }

    public long[] global(int batch) { return ConvRows.global(g, true, batch); }

    @Override public long[] local() { return ConvRows.local(); }
}
