package dln.kernel;

import dln.runtime.host.Blas;
import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * dweight [outC, inC, kernel] = the sum over the batch and the output positions of dy times the
 * input element under each tap, overwritten.
 *
 * <p>Java: per chunk of examples ({@link Im2col}), dy·(unfolded input)ᵀ in one BLAS product, the
 * chunks added in order (the chunk size depends only on the geometry, so the result does not depend
 * on the thread count). OpenCL: a work-item owns a block of output channels × the width taps of one
 * kernel row and walks every example, keeping float16 partial sums, summed across lanes at the end
 * (a fixed order, no atomics): along the flattened plane where the output is as large as the input
 * at stride 1 ({@link FlatWeight}), along output rows otherwise ({@link RowWeight}).
 */
public record ConvBackwardWeight(String name, ConvGeom g) implements Kernel {
    public List<String> args() { return List.of("x", "dy", "dweight"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], dy = bufs[1], dw = bufs[2];
        int taps = (int) g.taps(), positions = (int) g.outVolume(), outC = (int) g.outChannels(), chunk = Im2col.chunk(g);
        if (batch == 0) java.util.Arrays.fill(dw, 0, outC * taps, 0);
        for (int n0 = 0; n0 < batch; n0 += chunk) {
            int count = Math.min(chunk, batch - n0), cols = count * positions, product = taps * cols;
            float[] s = Im2col.scratch((long) (taps + outC) * cols);   // col [taps, cols], then dy's block [outC, cols]
            Im2col.unfold(g, x, n0, count, s);
            Im2col.gather(dy, n0, count, outC, positions, s, product);
            Blas.sgemm(false, true, outC, taps, cols, 1, s, product, cols, s, 0, cols, n0 == 0 ? 0 : 1, dw, 0, taps);
        }
    }

    public void opencl(C out) {
        if (FlatConv.applies(g)) FlatWeight.emit(out, name, g);
        else RowWeight.emit(out, name, g);
    }

    public long[] global(int batch) { return FlatWeight.global(g); }

    @Override public long[] local() { return new long[] {4, 4}; }
}
