package dln.kernel;

import dln.runtime.host.Blas;
import dln.runtime.kernel.C;
import dln.runtime.kernel.Choice;
import dln.runtime.kernel.Tunable;
import java.util.List;

/**
 * dx [N, inC, in] from dy [N, outC, out] and weight [outC, inC, kernel]: the convolution transposed,
 * overwritten. Java: where the output is as large as the input at stride 1, dx is itself such a
 * convolution, of dy with the weights transposed and flipped, and runs as {@link ConvForward} does
 * (unless dy has more than twice the channels of dx); for a valid 2-D convolution at stride 1, by
 * bands ({@link Bands}); otherwise per chunk of examples ({@link Im2col}), weightᵀ·dy in one BLAS
 * product, folded back onto the input. OpenCL: each input element gathers from the outputs whose windows cover it (no
 * atomics): along the flattened plane ({@link FlatConv}) or row by row ({@link ConvRows}), a
 * work-item computing a block of input channels whose size is a build option ({@link ChannelBlock}).
 * The compiler takes the strided convolutions that {@link PositionRows#pays} for (and such transposed
 * convolutions' forward passes) through rows, a product and {@link PositionFold} instead.
 */
public record ConvBackwardData(String name, ConvGeom g) implements Tunable {

    public List<String> args() { return List.of("dy", "weight", "dx"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] dy = bufs[0], w = bufs[1], dx = bufs[2];
        // unfolding dy has outC·k rows where folding has inC·k: worth it unless dy has many more channels
        if (FlatConv.applies(g) && g.outChannels() <= 2 * g.inChannels()) {
            new ConvForward(name, transposed()).reference(batch, step, new float[][] {dy, flipped(w), dx});
            return;
        }
        int taps = (int) g.taps(), positions = (int) g.outVolume(), outC = (int) g.outChannels();
        if (Bands.applies(g, w, outC * taps)) {
            Im2col.eachChunk(g, batch, (i, n0, count) -> Bands.inputGradient(g, dy, w, n0, count, dx));
            return;
        }
        Im2col.eachChunk(g, batch, (i, n0, count) -> {
            int cols = count * positions, product = taps * cols;
            float[] s = Im2col.scratch((long) (taps + outC) * cols);   // col [taps, cols], then dy's block [outC, cols]
            Im2col.gather(dy, n0, count, outC, positions, s, product);
            Blas.sgemm(true, false, taps, cols, outC, 1, w, 0, taps, s, product, cols, 0, s, 0, cols);
            Im2col.fold(g, s, n0, count, dx);
        });
    }

    /** The convolution from dy to dx: channels swapped, the padding that keeps the size (in = out, stride 1). */
    private ConvGeom transposed() {
        long[] k = g.kernel(), d = g.dilation(), p = g.padding(), pad = new long[3];
        for (int i = 0; i < 3; i++) pad[i] = d[i] * (k[i] - 1) - p[i];
        return new ConvGeom(g.outChannels(), g.inChannels(), g.out(), k, g.stride(), pad, d, g.in());
    }

    /** weight [outC, inC, kernel] as [inC, outC, kernel] with the kernel reversed in every dimension. */
    private float[] flipped(float[] w) {
        int outC = (int) g.outChannels(), inC = (int) g.inChannels(), kvol = (int) g.kernelVolume();
        float[] f = new float[outC * inC * kvol];
        for (int o = 0; o < outC; o++) {
            for (int c = 0; c < inC; c++) {
                for (int t = 0; t < kvol; t++) f[(c * outC + o) * kvol + kvol - 1 - t] = w[(o * inC + c) * kvol + t];
            }
        }
        return f;
    }

    public void opencl(C out) {
        if (FlatConv.applies(g)) FlatConv.emit(out, name, g, true, "dy", "dx", Epilogue.NONE);
        else ConvRows.emit(out, name, g, true, "dy", "dx", Epilogue.NONE);
    }

    public Choice defaults() { return ChannelBlock.of(FlatConv.applies(g) ? FlatConv.rows(g, true) : ConvRows.rows(g, true)); }

    public List<Choice> candidates() { return ChannelBlock.candidates(defaults().get(ChannelBlock.PARAM), g.inChannels()); }

    public long[] global(int batch, Choice blocks) {
        int rows = blocks.get(ChannelBlock.PARAM);
        return FlatConv.applies(g) ? FlatConv.global(g, true, batch, rows) : ConvRows.global(g, true, batch, rows);
    }

    public String shape() { return "conv input gradient " + g; }

    public ConvBackwardData named(String name) { return new ConvBackwardData(name, g); }

    public long[] sizes(int batch) {
        return new long[] {batch * g.outChannels() * g.outVolume(), g.outChannels() * g.taps(), batch * g.inChannels() * g.inVolume()};
    }

    @Override public long[] local() { return FlatConv.applies(g) ? FlatConv.local() : ConvRows.local(); }
}
