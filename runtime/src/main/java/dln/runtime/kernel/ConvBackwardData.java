package dln.runtime.kernel;

import dln.runtime.jvm.Blas;
import java.util.List;

/**
 * dx [N, inC, in] from dy [N, outC, out] and weight [outC, inC, kernel]: the convolution transposed,
 * overwritten. Java: per chunk of examples ({@link Im2col}), weightᵀ·dy in one BLAS product, folded back onto the input. OpenCL: each
 * input element gathers from the outputs whose windows cover it (no atomics); see {@link ConvRows}.
 */
public record ConvBackwardData(String name, ConvGeom g) implements Kernel {

    public List<String> args() { return List.of("dy", "weight", "dx"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] dy = bufs[0], w = bufs[1], dx = bufs[2];
        int taps = (int) g.taps(), positions = (int) g.outVolume(), outC = (int) g.outChannels(), chunk = Im2col.chunk(g);
        for (int n0 = 0; n0 < batch; n0 += chunk) {
            int count = Math.min(chunk, batch - n0), cols = count * positions, product = taps * cols;
            float[] s = Im2col.scratch((long) (taps + outC) * cols);   // col [taps, cols], then dy's block [outC, cols]
            Im2col.gather(dy, n0, count, outC, positions, s, product);
            Blas.sgemm(true, false, taps, cols, outC, 1, w, 0, taps, s, product, cols, 0, s, 0, cols);
            Im2col.fold(g, s, n0, count, dx);
        }
    }

    public void opencl(C out) {
        if (FlatConv.applies(g)) FlatConv.emit(out, name, g, true, "dy", "dx");
        else ConvRows.emit(out, name, g, true, "dy", "dx");
    }

    public long[] global(int batch) { return FlatConv.applies(g) ? FlatConv.global(g, true, batch) : ConvRows.global(g, true, batch); }

    @Override public long[] local() { return FlatConv.applies(g) ? FlatConv.local() : ConvRows.local(); }
}
