package dln.kernel;

import dln.runtime.host.Blas;
import dln.runtime.kernel.C;
import dln.runtime.kernel.Choice;
import dln.runtime.kernel.Tunable;
import java.util.List;

/**
 * y [N, outC, out] = x [N, inC, in] convolved with weight [outC, inC, kernel], overwritten, then the
 * epilogue: the bias of each output channel added and the activation applied as the block is
 * stored (the layer's BiasAct folded in). Java: per chunk of examples ({@link Im2col}), the weights
 * times the unfolded input in one BLAS product (for a valid convolution at stride 1, the input's
 * bands, {@link Bands}). OpenCL: along the flattened plane where the output
 * is as large as the input at stride 1 ({@link FlatConv}), else row by row ({@link ConvRows}), a
 * work-item computing a block of output channels whose size is a build option ({@link ChannelBlock}).
 */
public record ConvForward(String name, ConvGeom g, Epilogue epilogue) implements Tunable {

    public ConvForward {
        if (epilogue.second()) throw new IllegalArgumentException("a convolution's epilogue has no softmax or dropout: it writes one output");
    }

    /** The convolution alone, stored as it is. */
    public ConvForward(String name, ConvGeom g) { this(name, g, Epilogue.NONE); }

    /** x, weight, y, then what the epilogue reads: the bias, the batch norm's four buffers at inference. */
    public List<String> args() {
        List<String> args = new java.util.ArrayList<>(List.of("x", "weight", "y"));
        args.addAll(epilogue.args());
        return args;
    }

    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], w = bufs[1], y = bufs[2];
        int taps = (int) g.taps(), positions = (int) g.outVolume(), outC = (int) g.outChannels();
        boolean bands = Bands.applies(g);
        Im2col.eachChunk(g, batch, (i, n0, count) -> {
            if (bands) {
                Bands.forward(g, x, w, n0, count, y);
                return;
            }
            int cols = count * positions, product = taps * cols;
            float[] s = Im2col.scratch((long) (taps + outC) * cols);   // col [taps, cols], then y's block [outC, cols]
            Im2col.unfold(g, x, n0, count, s);
            Blas.sgemm(false, false, outC, cols, taps, 1, w, 0, taps, s, 0, cols, 0, s, product, cols);
            Im2col.scatter(s, product, n0, count, outC, positions, y);
        });
        epilogue.applyChannels(y, batch, g.outChannels(), g.outVolume(), java.util.Arrays.copyOfRange(bufs, 3, bufs.length));
    }

    /**
     * Whether the flat-plane kernel computes it: a convolution that keeps its size, unless it has
     * fewer than 4 input channels and rows that one wide block of lanes takes ({@link ConvRows#wide}):
     * the flat kernel's masks per tap pay off over many input channels, and with one (LeNet-5's first
     * convolution) the rows were faster, 0.28 -> 0.19 ms a launch on PoCL.
     */
    private boolean flat() { return FlatConv.applies(g) && !(g.inChannels() < 4 && ConvRows.wide(g, false)); }

    public void opencl(C out) {
        if (flat()) FlatConv.emit(out, name, g, false, "x", "y", epilogue);
        else ConvRows.emit(out, name, g, false, "x", "y", epilogue);
    }

    public Choice defaults() { return ChannelBlock.of(flat() ? FlatConv.rows(g, false) : ConvRows.rows(g, false)); }

    public List<Choice> candidates() { return ChannelBlock.candidates(defaults().get(ChannelBlock.PARAM), g.outChannels()); }

    public long[] global(int batch, Choice blocks) {
        int rows = blocks.get(ChannelBlock.PARAM);
        return flat() ? FlatConv.global(g, false, batch, rows) : ConvRows.global(g, false, batch, rows);
    }

    public String shape() { return "conv forward " + g + (epilogue.none() ? "" : " then " + epilogue.describe()); }

    public ConvForward named(String name) { return new ConvForward(name, g, epilogue); }

    /** This convolution named {@code name} with epilogue {@code e} (the compiler's Fuser, at inference). */
    public ConvForward with(String name, Epilogue e) { return new ConvForward(name, g, e); }

    public long[] sizes(int batch) {
        long x = batch * g.inChannels() * g.inVolume(), w = g.outChannels() * g.taps(), y = batch * g.outChannels() * g.outVolume();
        long[] sizes = java.util.Arrays.copyOf(new long[] {x, w, y}, 3 + epilogue.args().size());
        java.util.Arrays.fill(sizes, 3, sizes.length, g.outChannels());
        return sizes;
    }

    @Override public long[] local() { return flat() ? FlatConv.local() : ConvRows.local(); }
}
