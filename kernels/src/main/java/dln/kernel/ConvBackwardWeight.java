package dln.kernel;

import dln.runtime.host.Blas;
import dln.runtime.kernel.C;
import dln.runtime.kernel.Choice;
import dln.runtime.kernel.Tunable;
import java.util.List;

/**
 * dweight [outC, inC, kernel] = the sum over the batch and the output positions of dy times the
 * input element under each tap, overwritten.
 *
 * <p>Java: per chunk of examples ({@link Im2col}; for a valid convolution at stride 1 with a finite
 * input, {@link Bands}), dy·(unfolded input)ᵀ in one BLAS product, the chunks in parallel and
 * their gradients then added in chunk order (the chunk size depends only on the geometry, so the
 * result does not depend on the thread count). OpenCL: a work-item owns a
 * block of output channels × the width taps of one kernel row and walks every example of its part
 * of the batch (the whole batch unless the tuner split it among a group's work-items, {@link #PARTS}), keeping
 * float16 partial sums, summed across lanes at the end (a fixed order, no atomics): along the
 * flattened plane where the output is as large as the input at stride 1 ({@link FlatWeight}), along
 * output rows otherwise ({@link RowWeight}).
 *
 * <p>With {@code bias}, dbias [outC] = the sum of dy over the batch and the positions as well (the
 * layer's {@link BiasGrad} folded in): on OpenCL the work-items of the first kernel row add up the
 * dy vectors they load anyway, so the bias gradient costs no launch and no pass over dy of its own.
 *
 * <p>The compiler takes the strided convolutions that {@link PositionRows#pays} for through rows and
 * a product instead (the row walk loads their taps least well).
 */
public record ConvBackwardWeight(String name, ConvGeom g, boolean bias) implements Tunable {

    /** The weight gradient alone. */
    public ConvBackwardWeight(String name, ConvGeom g) { this(name, g, false); }

    public List<String> args() { return bias ? List.of("x", "dy", "dweight", "dbias") : List.of("x", "dy", "dweight"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], dy = bufs[1], dw = bufs[2];
        if (bias) new BiasGrad(name, Dim.batch(1), g.outChannels(), g.outVolume()).reference(batch, step, new float[][] {dy, bufs[3]});
        int taps = (int) g.taps(), positions = (int) g.outVolume(), outC = (int) g.outChannels(), size = outC * taps;
        // each chunk's gradient on its own (chunks run in parallel), then their sum in chunk order
        float[][] parts = new float[Im2col.chunks(g, batch)][];
        boolean bands = Bands.applies(g) && Bands.finiteInput(g, x, batch);
        Im2col.eachChunk(g, batch, (i, n0, count) -> {
            if (bands) {
                float[] part = i == 0 ? dw : new float[size];
                Bands.weightGradient(g, x, dy, n0, count, part);
                parts[i] = part;
                return;
            }
            int cols = count * positions, product = taps * cols;
            float[] s = Im2col.scratch((long) (taps + outC) * cols);   // col [taps, cols], then dy's block [outC, cols]
            Im2col.unfold(g, x, n0, count, s);
            Im2col.gather(dy, n0, count, outC, positions, s, product);
            float[] part = i == 0 ? dw : new float[size];
            Blas.sgemm(false, true, outC, taps, cols, 1, s, product, cols, s, 0, cols, 0, part, 0, taps);
            parts[i] = part;
        });
        if (batch == 0) java.util.Arrays.fill(dw, 0, size, 0);
        for (int i = 1; i < parts.length; i++) {
            float[] part = parts[i];
            for (int j = 0; j < size; j++) dw[j] += part[j];
        }
    }

    public void opencl(C out) {
        if (FlatConv.applies(g)) FlatWeight.emit(out, name, g, bias);
        else RowWeight.emit(out, name, g, bias);
    }

    /** The build option of the output channels a work-item takes. */
    static final String PARAM = "WEIGHT_CHANNELS";
    /** The build option of the examples a flat-plane work-item takes position by position ({@link FlatWeight#EXAMPLES}). */
    static final String EXAMPLES = "WEIGHT_EXAMPLES";
    /**
     * The build option of the work-items of a group that split the batch between them, each summing
     * its part's examples, the parts then added in a fixed order ({@link FlatWeight#store}): 1, a
     * whole batch per work-item, on a CPU's few cores; more where a device has many more lanes than
     * the kernel has blocks (LeNet-5's second convolution has 120).
     */
    static final String PARTS = "WEIGHT_PARTS";
    /** The parts the tuner tries beside one. */
    private static final int[] MORE_PARTS = {2, 4, 16, 64};

    public Choice defaults() { return choice(FlatWeight.channels(g), FlatWeight.EXAMPLES, 1); }

    /** A choice of {@code channels} output channels, on flat planes blocks of {@code examples}, and {@code parts} of the batch. */
    private Choice choice(int channels, int examples, int parts) {
        return FlatConv.applies(g) ? Choice.of(PARAM, channels, EXAMPLES, examples, PARTS, parts) : Choice.of(PARAM, channels, PARTS, parts);
    }

    /**
     * The defaults, then blocks of 1 to 8 output channels (no more than the layer has) whose partial
     * sums, channels × width taps float16 vectors, stay within twice the 20 the defaults allow
     * (AVX-512's 32 registers hold about 20 beside the vectors they read; a GPU has more); on flat
     * planes also the default channels with examples one at a time and in blocks of 16; and the
     * default blocks with the batch split in 2, 4, 16 and 64 parts.
     */
    public List<Choice> candidates() {
        List<Choice> all = new java.util.ArrayList<>(List.of(defaults()));
        for (int size : new int[] {1, 2, 3, 4, 6, 8}) {
            Choice c = choice(size, FlatWeight.EXAMPLES, 1);
            if (size <= g.outChannels() && size * g.kernel()[2] <= 40 && !all.contains(c)) all.add(c);
        }
        if (FlatConv.applies(g)) {
            for (int examples : new int[] {1, 16}) all.add(choice(FlatWeight.channels(g), examples, 1));
        }
        for (int parts : MORE_PARTS) all.add(choice(FlatWeight.channels(g), FlatWeight.EXAMPLES, parts));
        return all;
    }

    public long[] global(int batch, Choice blocks) { return FlatWeight.global(g, blocks.get(PARAM), blocks.get(PARTS)); }

    public String shape() { return "conv weight gradient " + g + (bias ? " and bias" : ""); }

    public ConvBackwardWeight named(String name) { return new ConvBackwardWeight(name, g, bias); }

    public long[] sizes(int batch) {
        long x = (long) batch * g.inChannels() * g.inVolume(), dy = (long) batch * g.outChannels() * g.outVolume(), dw = g.outChannels() * g.taps();
        return bias ? new long[] {x, dy, dw, g.outChannels()} : new long[] {x, dy, dw};
    }

    /**
     * A group is the work-items of one block that split the batch ({@link #PARTS}). Unsplit, a
     * work-item walks the whole batch and never looks at its group (the group's code is compiled
     * out), so the group is fitted to the device as any such kernel's is; there are few work-items
     * (LeNet-5's first convolution has 10), so the implementation should spread them over its cores:
     * in groups of 4 × 4 PoCL ran 8 of those 10 on one core (0.28 -> 0.19 ms a launch).
     */
    @Override public long[] local(Choice blocks) { return new long[] {1, 1, blocks.get(PARTS)}; }

    @Override public boolean groupFree(Choice blocks) { return blocks.get(PARTS) == 1; }

    @Override public long[] local() { return local(defaults()); }
}
