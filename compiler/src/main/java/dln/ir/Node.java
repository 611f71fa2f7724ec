package dln.ir;

import dln.kernel.Act;
import dln.kernel.ActGrad;
import dln.kernel.Axpy;
import dln.kernel.BatchNormBackward;
import dln.kernel.BatchNormForward;
import dln.kernel.BiasAct;
import dln.kernel.BiasGrad;
import dln.kernel.ChannelsLast;
import dln.kernel.ConvBackwardData;
import dln.kernel.ConvBackwardWeight;
import dln.kernel.ConvForward;
import dln.kernel.ConvGeom;
import dln.kernel.Dim;
import dln.kernel.Dropout;
import dln.kernel.EmbeddingBackward;
import dln.kernel.EmbeddingForward;
import dln.kernel.Epilogue;
import dln.kernel.Gemm;
import dln.kernel.GlobalPoolBackward;
import dln.kernel.GlobalPoolForward;
import dln.kernel.GradEpilogue;
import dln.kernel.MaxoutBackward;
import dln.kernel.MaxoutForward;
import dln.kernel.PoolBackward;
import dln.kernel.PoolForward;
import dln.kernel.PoolGeom;
import dln.kernel.PositionFold;
import dln.kernel.PositionRows;
import dln.kernel.PreluBackward;
import dln.kernel.PreluForward;
import dln.kernel.RecurrentBackward;
import dln.kernel.RecurrentCell;
import dln.kernel.RecurrentForward;
import dln.kernel.SliceCopy;
import dln.kernel.Softmax;
import dln.kernel.SoftmaxGrad;
import dln.runtime.kernel.Kernel;
import java.util.Arrays;
import java.util.List;

/**
 * One op of the graph: the IR is this closed set of records. Each node is complete: its shape is the
 * checked layer's, its forward lowering and its gradient rule are kernel launches, and its kernels
 * carry their Java reference and OpenCL source. The interface is sealed (its records are the ones
 * below) and both rules are abstract, so a new node without either does not compile.
 *
 * <p>Shapes are per example; "rows" is the batch. Gradients of parameters are overwritten (each
 * parameter belongs to one node); gradients of values may have several contributions
 * ({@link Gradients}).
 */
public sealed interface Node {
    /** The layer's full name: `dense_1`, `residual_1.conv2d_1`. */
    String name();

    List<Operand> inputs();

    Operand output();

    /** Appends the forward launches; {@code training} selects batch statistics and dropout. */
    void forward(Lowering out, boolean training);

    /** Appends the gradient launches: the gradient of {@link #output()} is complete in {@code g.dy(output())}. */
    void backward(Gradients g);

    /** A node that can apply an elementwise activation as it stores its result (dense, convolution). */
    sealed interface Fusable extends Node {
        Act act();

        /** This node with {@code act} applied to its output. */
        Node withAct(Act act, float alpha);
    }

    /**
     * The forward and gradient rules of an op that needs no node kind of its own: the op defines
     * them beside itself (in dln.op), and a {@link Layer} node carries them.
     */
    interface Rules {
        void forward(Layer node, Lowering out, boolean training);

        void backward(Layer node, Gradients g);
    }

    /** A node whose rules its op defines ({@link Rules}): passes see it only through {@link Node}'s methods. */
    record Layer(String name, List<Operand> inputs, Operand output, Rules rules) implements Node {
        public void forward(Lowering out, boolean training) { rules.forward(this, out, training); }

        public void backward(Gradients g) { rules.backward(this, g); }
    }

    /** The batch as the rows of a product. */
    private static Dim rows() { return Dim.batch(1); }

    /**
     * y = act(x·Wᵀ + b): dense layers, and the affine part of maxout. A per-step dense layer applies
     * the same W and b to each of {@code steps} rows of x [steps, in]: the product's rows are then
     * batch·steps, and dW and db sum over steps as over the batch.
     */
    record Dense(String name, Operand x, Operand y, long steps, long in, long units, String weight, String bias, Act act, float alpha)
            implements Fusable {
        public List<Operand> inputs() { return List.of(x); }
        public Operand output() { return y; }

        public Dense withAct(Act a, float al) { return new Dense(name, x, y, steps, in, units, weight, bias, a, al); }

        /** The rows of the product: the batch, times the steps of a per-step layer. */
        private Dim rows() { return Dim.batch(steps); }

        private String shapes() {
            return steps == 1 ? "[" + in + "] -> [" + units + "]" : "[" + steps + ", " + in + "] -> [" + steps + ", " + units + "]";
        }

        /** y = act(x·Wᵀ + b) in one launch: the bias and the activation are the product's epilogue. */
        public void forward(Lowering out, boolean training) {
            Epilogue e = new Epilogue(bias != null, act, alpha);
            Gemm k = new Gemm(out.kernel(this, "fwd"), false, true, rows(), Dim.of(units), Dim.of(in), (int) in, (int) in, (int) units, 1f, 0f, e);
            String what = name + ": " + shapes() + (e.none() ? "" : ", " + e.describe());
            if (bias != null) out.launch(k, what, x.buffer(), weight, y.buffer(), bias);
            else out.launch(k, what, x.buffer(), weight, y.buffer());
        }

        public void backward(Gradients g) {
            String dz = actGrad(g, this, y, act, alpha);
            g.launch(new Gemm(g.kernel(this, "dweight"), true, false, Dim.of(units), Dim.of(in), rows(), (int) units, (int) in, (int) in, 1f, 0f),
                    "dW = dzᵀ·x", dz, x.buffer(), g.param(weight));
            if (bias != null) g.launch(new BiasGrad(g.kernel(this, "dbias"), rows(), units, 1), "db = Σ dz", dz, g.param(bias));
            if (g.needs(x)) {
                boolean add = g.accumulates(x);
                g.launch(new Gemm(g.kernel(this, add ? "dx_add" : "dx"), false, false, rows(), Dim.of(in), Dim.of(units), (int) units, (int) in, (int) in, 1f, add ? 1f : 0f),
                        "dx = dz·W", dz, weight, g.dy(x));
            }
        }
    }

    /** Convolution in 1, 2 or 3 dimensions (1-D and 2-D as 3-D with leading 1s), bias and activation fused. */
    record Conv(String name, Operand x, Operand y, ConvGeom geom, String weight, String bias, Act act, float alpha) implements Fusable {
        public List<Operand> inputs() { return List.of(x); }
        public Operand output() { return y; }

        public Conv withAct(Act a, float al) { return new Conv(name, x, y, geom, weight, bias, a, al); }

        private long spatial() { return geom.out()[0] * geom.out()[1] * geom.out()[2]; }

        /** y = act(conv(x) + b) in one launch: the bias and the activation are the convolution's epilogue. */
        public void forward(Lowering out, boolean training) {
            Epilogue e = new Epilogue(bias != null, act, alpha);
            ConvForward k = new ConvForward(out.kernel(this, "fwd"), geom, e);
            String what = e.none() ? name : name + ", " + e.describe();
            if (bias != null) out.launch(k, what, x.buffer(), weight, y.buffer(), bias);
            else out.launch(k, what, x.buffer(), weight, y.buffer());
        }

        public void backward(Gradients g) {
            String dz = actGrad(g, this, y, act, alpha);
            String dzRows = weightGradient(g, this, geom, x.buffer(), dz, g.param(weight), bias == null ? null : g.param(bias));
            if (!g.needs(x)) return;
            if (dzRows == null) g.write(this, x, dx -> g.launch(new ConvBackwardData(g.kernel(this, "dx"), geom), "dx", dz, weight, dx));
            else g.write(this, x, dx -> foldedProduct(g.plan(), g::launch, g.kernel(this, "dx_rows"), g.kernel(this, "dx"), this, geom, dzRows, weight, dx));
        }
    }

    /**
     * The launches of dweight (and dbias, the sums of dy over the batch and positions, when {@code dbias}
     * is not null) of the convolution {@code geom} from its input x and output gradient dy: where
     * {@link PositionRows#pays} (strided, with rows that fit), the batch's output positions as rows of
     * two work buffers (x under the taps, and dy's channels last) and then one product dweight =
     * dyRowsᵀ · xRows, whose epilogue sums the bias; else one {@link ConvBackwardWeight}, which sums the
     * bias as it reads dy. Returns the buffer of dy's rows, which the input gradient then reads
     * ({@link #foldedProduct}), or null when there are none.
     */
    public static String weightGradient(Gradients g, Node node, ConvGeom geom, String x, String dy, String dweight, String dbias) {
        if (!PositionRows.pays(geom)) {
            if (dbias != null) g.launch(new ConvBackwardWeight(g.kernel(node, "dweight"), geom, true), "dW, db = Σ dz", x, dy, dweight, dbias);
            else g.launch(new ConvBackwardWeight(g.kernel(node, "dweight"), geom), "dW", x, dy, dweight);
            return null;
        }
        PositionRows rows = new PositionRows(g.kernel(node, "rows"), geom);
        String xRows = g.plan().work("rows.x." + node.name(), rows.perExample());
        g.launch(rows, "x under the taps, a row per position", x, xRows);
        String dyRows = channelsLast(g.plan(), g::launch, g.kernel(node, "dz_rows"), "rows.dy." + node.name(), geom, dy);
        int outC = (int) geom.outChannels(), taps = (int) geom.taps();
        Gemm product = new Gemm(g.kernel(node, "dweight"), true, false, Dim.of(outC), Dim.of(taps), Dim.batch(geom.outVolume()), outC, taps, taps, 1f, 0f);
        if (dbias != null) g.launch(product.with(GradEpilogue.NONE.withSums()), "dW = dz rowsᵀ·x rows, db = Σ dz", dyRows, xRows, dweight, dbias);
        else g.launch(product, "dW = dz rowsᵀ·x rows", dyRows, xRows, dweight);
        return dyRows;
    }

    /** The launch that puts {@code dy}'s channels last into the work buffer {@code buffer}, whose name it returns. */
    static String channelsLast(Plan plan, Launcher out, String kernel, String buffer, ConvGeom geom, String dy) {
        String rows = plan.work(buffer, geom.outVolume() * geom.outChannels());
        out.launch(new ChannelsLast(kernel, geom.outChannels(), geom.outVolume()), "channels last, a row per position", dy, rows);
        return rows;
    }

    /** Where launches go: a {@link Lowering}'s forward pass or a {@link Gradients}' backward one. */
    @FunctionalInterface
    interface Launcher {
        void launch(Kernel k, String comment, String... buffers);
    }

    /**
     * The launches of dx of the convolution {@code geom} from dy's rows (channels last, {@link
     * #weightGradient}): each position's gradient with respect to the input under its taps, dyRows ·
     * weight (one product), folded back onto the input ({@link PositionFold}). A transposed
     * convolution's forward pass is the same launches on its input's rows.
     */
    public static void foldedProduct(Plan plan, Launcher out, String productKernel, String foldKernel, Node node, ConvGeom geom, String dyRows,
                                     String weight, String dx) {
        int outC = (int) geom.outChannels(), taps = (int) geom.taps();
        String dxRows = plan.work("rows.fold." + node.name(), geom.outVolume() * geom.taps());
        out.launch(new Gemm(productKernel, false, false, Dim.batch(geom.outVolume()), Dim.of(taps), Dim.of(outC), outC, taps, taps, 1f, 0f),
                "rows·W, a row per position", dyRows, weight, dxRows);
        out.launch(new PositionFold(foldKernel, geom), "the rows folded back", dxRows, dx);
    }

    record Pool(String name, Operand x, Operand y, PoolGeom geom, boolean max) implements Node {
        public List<Operand> inputs() { return List.of(x); }
        public Operand output() { return y; }

        public void forward(Lowering out, boolean training) {
            out.launch(new PoolForward(out.kernel(this, "fwd"), geom, max), name, x.buffer(), y.buffer());
        }

        public void backward(Gradients g) {
            if (g.needs(x)) g.write(this, x, dx -> g.launch(new PoolBackward(g.kernel(this, "dx"), geom, max), "dx", x.buffer(), g.dy(y), dx));
        }
    }

    record GlobalPool(String name, Operand x, Operand y, long channels, long spatial, boolean max) implements Node {
        public List<Operand> inputs() { return List.of(x); }
        public Operand output() { return y; }

        public void forward(Lowering out, boolean training) {
            out.launch(new GlobalPoolForward(out.kernel(this, "fwd"), channels, spatial, max), name, x.buffer(), y.buffer());
        }

        public void backward(Gradients g) {
            if (g.needs(x)) g.write(this, x, dx -> g.launch(new GlobalPoolBackward(g.kernel(this, "dx"), channels, spatial, max), "dx", x.buffer(), g.dy(y), dx));
        }
    }

    /**
     * An elementwise activation on its own (not fused into the layer before it). Its gradient reads
     * the output y, or the input x for gelu and silu ({@link Act#gradFromOutput()}).
     */
    record Activation(String name, Operand x, Operand y, Act act, float alpha) implements Node {
        public List<Operand> inputs() { return List.of(x); }
        public Operand output() { return y; }

        public void forward(Lowering out, boolean training) {
            out.launch(new Axpy(out.kernel(this, "copy"), Dim.batch(x.size()), 1f, 0f), name, x.buffer(), y.buffer());
            out.launch(new BiasAct(out.kernel(this, "fwd"), rows(), x.size(), 1, false, act, alpha), name, y.buffer());
        }

        public void backward(Gradients g) {
            if (!g.needs(x)) return;
            boolean fromY = act.gradFromOutput();
            g.write(this, x, dx -> g.launch(new ActGrad(g.kernel(this, "dx"), Dim.batch(y.size()), act, alpha), fromY ? "dx = dy·act'(y)" : "dx = dy·act'(x)",
                    fromY ? y.buffer() : x.buffer(), g.dy(y), dx));
        }
    }

    /** Softmax over the last axis, {@code width} wide. */
    record SoftmaxNode(String name, Operand x, Operand y, long width) implements Node {
        public List<Operand> inputs() { return List.of(x); }
        public Operand output() { return y; }

        public void forward(Lowering out, boolean training) {
            out.launch(new Softmax(out.kernel(this, "fwd"), Dim.batch(x.size() / width), width), name, x.buffer(), y.buffer());
        }

        public void backward(Gradients g) {
            if (g.needs(x)) g.write(this, x, dx -> g.launch(new SoftmaxGrad(g.kernel(this, "dx"), Dim.batch(x.size() / width), width), "dx", y.buffer(), g.dy(y), dx));
        }
    }

    record Prelu(String name, Operand x, Operand y, long channels, long spatial, String weight) implements Node {
        public List<Operand> inputs() { return List.of(x); }
        public Operand output() { return y; }

        public void forward(Lowering out, boolean training) {
            out.launch(new PreluForward(out.kernel(this, "fwd"), channels, spatial), name, x.buffer(), weight, y.buffer());
        }

        public void backward(Gradients g) {
            PreluBackward k = new PreluBackward(g.kernel(this, "bwd"), channels, spatial);
            if (g.needs(x)) g.write(this, x, dx -> g.launch(k, "dx, dW", x.buffer(), weight, g.dy(y), dx, g.param(weight)));
            else g.launch(k, "dW", x.buffer(), weight, g.dy(y), g.plan().work("grad.tmp." + x.buffer(), x.size()), g.param(weight));
        }
    }

    /** Inverted dropout: scaled at training time, the identity at inference. The mask comes from the step counter. */
    record DropoutNode(String name, Operand x, Operand y, float rate, long seed) implements Node {
        public List<Operand> inputs() { return List.of(x); }
        public Operand output() { return y; }

        public void forward(Lowering out, boolean training) {
            if (training) out.launchCounted(new Dropout(out.kernel(this, "fwd"), Dim.batch(x.size()), rate, seed), name, x.buffer(), y.buffer());
            else if (!out.alias(y.buffer(), x.buffer())) {
                out.launch(new Axpy(out.kernel(this, "copy"), Dim.batch(x.size()), 1f, 0f), name + " (identity at inference)", x.buffer(), y.buffer());
            }
        }

        public void backward(Gradients g) {
            if (g.needs(x)) g.write(this, x, dx -> g.launchCounted(new Dropout(g.kernel(this, "dx"), Dim.batch(x.size()), rate, seed), "the same mask", g.dy(y), dx));
        }
    }

    record BatchNorm(String name, Operand x, Operand y, long channels, long spatial, float momentum, float eps,
                            String weight, String bias, String runningMean, String runningVar) implements Node {
        public List<Operand> inputs() { return List.of(x); }
        public Operand output() { return y; }

        public void forward(Lowering out, boolean training) {
            Plan p = out.plan();
            String mean = p.fixed("saved.mean:" + name, channels), invstd = p.fixed("saved.invstd:" + name, channels);
            out.launch(new BatchNormForward(out.kernel(this, training ? "fwd_train" : "fwd"), channels, spatial, momentum, eps, training),
                    name + (training ? " (batch statistics)" : " (running statistics)"),
                    x.buffer(), weight, bias, runningMean, runningVar, mean, invstd, y.buffer());
        }

        public void backward(Gradients g) {
            Plan p = g.plan();
            String mean = p.fixed("saved.mean:" + name, channels), invstd = p.fixed("saved.invstd:" + name, channels);
            BatchNormBackward k = new BatchNormBackward(g.kernel(this, "bwd"), channels, spatial);
            if (g.needs(x)) g.write(this, x, dx -> g.launch(k, "dx, dW, db", x.buffer(), weight, mean, invstd, g.dy(y), dx, g.param(weight), g.param(bias)));
            else g.launch(k, "dW, db", x.buffer(), weight, mean, invstd, g.dy(y), p.work("grad.tmp." + x.buffer(), x.size()), g.param(weight), g.param(bias));
        }
    }

    record Embedding(String name, Operand ids, Operand y, long tokens, long vocab, long dim, String weight) implements Node {
        public List<Operand> inputs() { return List.of(ids); }
        public Operand output() { return y; }

        public void forward(Lowering out, boolean training) {
            out.launch(new EmbeddingForward(out.kernel(this, "fwd"), tokens, vocab, dim), name, ids.buffer(), weight, y.buffer());
        }

        public void backward(Gradients g) {
            g.launch(new EmbeddingBackward(g.kernel(this, "dweight"), tokens, vocab, dim), "dW", ids.buffer(), g.dy(y), g.param(weight));
        }
    }

    /**
     * An rnn, lstm or gru over [T, F], in one direction or both: for each, the input projection for
     * every step is one matrix product, the sequential part one kernel; backward, one kernel gives the
     * gate gradients and matrix products the rest. The reverse direction (the second of
     * {@code directions}) writes the second half of every output row.
     */
    record Recurrent(String name, Operand x, Operand y, RecurrentCell cell, long time, long features, long units, Act act,
                     boolean sequences, List<Direction> directions) implements Node {
        /** One direction's parameters, and the suffix of its kernels and buffers. */
        public record Direction(String weightIh, String weightHh, String biasIh, String biasHh, String suffix) {}

        public List<Operand> inputs() { return List.of(x); }
        public Operand output() { return y; }

        private long gates() { return cell.gates() * units; }

        private boolean bidirectional() { return directions.size() == 2; }

        private String[] state(Plan p, Direction d) {
            String at = ":" + name + d.suffix();
            return new String[] {p.work("rnn.xproj" + at, time * gates()), p.work("rnn.hprev" + at, time * units),
                    p.work("rnn.cells" + at, cell == RecurrentCell.LSTM ? (time + 1) * units : 1), p.work("rnn.gates" + at, time * cell.saved() * units)};
        }

        public void forward(Lowering out, boolean training) {
            Dim steps = Dim.batch(time);
            for (Direction d : directions) {
                String[] s = state(out.plan(), d);
                boolean reverse = d != directions.get(0);
                out.launch(new Gemm(out.kernel(this, "xproj" + d.suffix()), false, true, steps, Dim.of(gates()), Dim.of(features), (int) features, (int) features, (int) gates(), 1f, 0f),
                        name + ": x·W_ihᵀ for every step", x.buffer(), d.weightIh(), s[0]);
                out.launch(new BiasAct(out.kernel(this, "xproj_bias" + d.suffix()), steps, gates(), 1, true, Act.LINEAR, 0f), "+ b_ih", d.biasIh(), s[0]);
                out.launch(new RecurrentForward(out.kernel(this, "fwd" + d.suffix()), cell, time, units, act, sequences, bidirectional(), reverse),
                        name + (reverse ? ": through time, last step first" : ": through time"), s[0], d.weightHh(), d.biasHh(), s[1], s[2], s[3], y.buffer());
            }
        }

        public void backward(Gradients g) {
            Dim steps = Dim.batch(time);
            for (Direction d : directions) {
                String[] s = state(g.plan(), d);
                boolean reverse = d != directions.get(0);
                String dgates = g.plan().work("grad.rnn.gates:" + name + d.suffix(), time * gates());
                // a gru's hidden side has a gradient of its own (r scales W_hn·h + b_hn); the other cells share dgates
                String dhh = cell == RecurrentCell.GRU ? g.plan().work("grad.rnn.hh:" + name + d.suffix(), time * gates()) : dgates;
                String[] buffers = {d.weightHh(), s[1], s[2], s[3], g.dy(y), dgates, dhh};
                g.launch(new RecurrentBackward(g.kernel(this, "bwd" + d.suffix()), cell, time, units, act, sequences, bidirectional(), reverse),
                        name + ": back through time", cell == RecurrentCell.GRU ? buffers : Arrays.copyOf(buffers, 6));
                g.launch(new Gemm(g.kernel(this, "dweight_ih" + d.suffix()), true, false, Dim.of(gates()), Dim.of(features), steps, (int) gates(), (int) features, (int) features, 1f, 0f),
                        "dW_ih", dgates, x.buffer(), g.param(d.weightIh()));
                g.launch(new Gemm(g.kernel(this, "dweight_hh" + d.suffix()), true, false, Dim.of(gates()), Dim.of(units), steps, (int) gates(), (int) units, (int) units, 1f, 0f),
                        "dW_hh", dhh, s[1], g.param(d.weightHh()));
                g.launch(new BiasGrad(g.kernel(this, "dbias_ih" + d.suffix()), steps, gates(), 1), "db_ih", dgates, g.param(d.biasIh()));
                g.launch(new BiasGrad(g.kernel(this, "dbias_hh" + d.suffix()), steps, gates(), 1), "db_hh", dhh, g.param(d.biasHh()));
                if (g.needs(x)) {
                    boolean add = g.accumulates(x);
                    g.launch(new Gemm(g.kernel(this, add ? "dx_add" : "dx"), false, false, steps, Dim.of(features), Dim.of(gates()), (int) gates(), (int) features, (int) features, 1f, add ? 1f : 0f),
                            "dx", dgates, d.weightIh(), g.dy(x));
                }
            }
        }
    }

    /** The maximum over {@code pieces} consecutive values of z: maxout after its affine part. */
    record Maxout(String name, Operand z, Operand y, long units, long pieces) implements Node {
        public List<Operand> inputs() { return List.of(z); }
        public Operand output() { return y; }

        public void forward(Lowering out, boolean training) {
            out.launch(new MaxoutForward(out.kernel(this, "fwd"), units, pieces), name + ": max of " + pieces, z.buffer(), y.buffer());
        }

        public void backward(Gradients g) {
            g.write(this, z, dz -> g.launch(new MaxoutBackward(g.kernel(this, "dz"), units, pieces), "dz", z.buffer(), g.dy(y), dz));
        }
    }

    record Add(String name, List<Operand> xs, Operand y) implements Node {
        public List<Operand> inputs() { return xs; }
        public Operand output() { return y; }

        public void forward(Lowering out, boolean training) {
            Dim size = Dim.batch(y.size());
            out.launch(new Axpy(out.kernel(this, "copy"), size, 1f, 0f), name, xs.get(0).buffer(), y.buffer());
            for (int i = 1; i < xs.size(); i++) out.launch(new Axpy(out.kernel(this, "add"), size, 1f, 1f), "+ input " + (i + 1), xs.get(i).buffer(), y.buffer());
        }

        public void backward(Gradients g) {
            Dim size = Dim.batch(y.size());
            for (Operand x : xs) {
                if (!g.needs(x)) continue;
                boolean add = g.accumulates(x);
                g.launch(new Axpy(g.kernel(this, add ? "dx_add" : "dx"), size, 1f, add ? 1f : 0f), "dx = dy", g.dy(y), g.dy(x));
            }
        }
    }

    /** Joins along the first axis of the example: each input is one contiguous slice of every output row. */
    record Concat(String name, List<Operand> xs, Operand y) implements Node {
        public List<Operand> inputs() { return xs; }
        public Operand output() { return y; }

        public void forward(Lowering out, boolean training) {
            long offset = 0;
            for (int i = 0; i < xs.size(); i++) {
                Operand x = xs.get(i);
                out.launch(new SliceCopy(out.kernel(this, "part" + (i + 1)), rows(), x.size(), y.size(), offset, false),
                        name + ": input " + (i + 1) + " at " + offset, x.buffer(), y.buffer());
                offset += x.size();
            }
        }

        public void backward(Gradients g) {
            long offset = 0;
            for (int i = 0; i < xs.size(); i++) {
                Operand x = xs.get(i);
                long at = offset;
                int part = i + 1;
                if (g.needs(x)) g.write(this, x, dx -> g.launch(new SliceCopy(g.kernel(this, "dpart" + part), rows(), x.size(), y.size(), at, true), "dx", g.dy(y), dx));
                offset += x.size();
            }
        }
    }

    /**
     * dz = dy·act'(y), in place in dy's buffer (its gradient is complete and read only here). A fused
     * activation's derivative is a function of y (the Lowerer fuses no other).
     */
    private static String actGrad(Gradients g, Node node, Operand y, Act act, float alpha) {
        if (!act.gradFromOutput()) throw new IllegalStateException(act + " fused into " + node.name() + ", whose input the gradient needs is not kept");
        String dy = g.dy(y);
        if (act != Act.LINEAR) g.launch(new ActGrad(g.kernel(node, "act_grad"), Dim.batch(y.size()), act, alpha), "dz = dy·act'(y)", y.buffer(), dy, dy);
        return dy;
    }
}
