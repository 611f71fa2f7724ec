package dln.onnx;

import static dln.onnx.Graph.attr;
import static dln.onnx.Graph.batched;
import static dln.onnx.Graph.ints;

import dln.net.DType;
import dln.net.Shape;
import dln.onnx.proto.OnnxProto.ModelProto;
import dln.onnx.proto.OnnxProto.OperatorSetIdProto;
import dln.op.Activation;
import dln.op.Attention;
import dln.op.BatchNorm;
import dln.op.Concat;
import dln.op.Conv;
import dln.op.ConvTranspose;
import dln.op.Dense;
import dln.op.Dropout;
import dln.op.Embedding;
import dln.op.Flatten;
import dln.op.GlobalPool;
import dln.op.LayerNorm;
import dln.op.Maxout;
import dln.op.Mean;
import dln.op.Network;
import dln.op.Op;
import dln.op.Pool;
import dln.op.Positional;
import dln.op.Recurrent;
import dln.op.Upsample;
import dln.runtime.io.Safetensors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a checked model's inference graph as ONNX: takes a {@link Network} and its weights (named
 * as DLN names them), gives a {@link ModelProto} whose graph inputs and outputs are the model's,
 * with a symbolic batch dimension `N`, every weight an initializer under its DLN name, every other
 * value declared with its shape, dropout removed and batch norm in inference form (running
 * statistics). {@link #layer} is the table of lowerings, one method per op kind; recurrent layers
 * and attention are in {@link SequenceNodes}, activations in {@link ActivationNodes}. Every layer
 * exports at every opset written: where an ONNX op came later (LayerNormalization in 17, Gelu in 20)
 * the earlier opsets get the same arithmetic from older ops.
 */
public final class OnnxExporter {
    /** The opset written unless another is asked for. */
    public static final int DEFAULT_OPSET = 17;
    /** The opsets this exporter writes: from softmax over the last axis (13) to what ONNX Runtime 1.22 reads. */
    public static final int MIN_OPSET = 13, MAX_OPSET = 22;

    /** A layer or request that ONNX cannot express here; the message names the layer. */
    public static final class NotExportable extends IllegalArgumentException {
        NotExportable(String message) { super(message); }
    }

    private final Network net;
    private final Map<String, Safetensors.Tensor> weights;
    private final int opset;
    private final Graph graph;
    private final String[] names;

    private OnnxExporter(Network net, Map<String, Safetensors.Tensor> weights, int opset) {
        this.net = net;
        this.weights = weights;
        this.opset = opset;
        Set<String> outputs = new HashSet<>();
        for (Network.Output out : net.outputs()) outputs.add(out.name());
        this.graph = new Graph(net.name(), outputs);
        this.names = new String[net.inputs().size() + net.layers().size()];
    }

    /** The ONNX model of {@code net} at {@code opset} with these weights (every parameter and buffer of the network). */
    public static ModelProto export(Network net, Map<String, Safetensors.Tensor> weights, int opset) {
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new NotExportable("opset " + opset + " is not supported: choose " + MIN_OPSET + " to " + MAX_OPSET);
        }
        return new OnnxExporter(net, weights, opset).model();
    }

    /**
     * The IR version of the ONNX release that introduced {@code opset}: 7 for opsets 13 and 14
     * (ONNX 1.8, 1.9), 8 for 15 to 18, 9 for 19 and 20, 10 for 21 and 22, so that a reader of that
     * release reads the file.
     */
    public static int irVersion(int opset) {
        return opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
    }

    private ModelProto model() {
        for (Network.Input in : net.inputs()) {
            names[in.value()] = in.name();
            graph.input(in.name(), in.dtype() == DType.FLOAT ? Graph.FLOAT : Graph.INT64, batched(in.shape().dims()));
        }
        for (Network.Layer layer : net.layers()) layer(layer);
        for (Network.Output out : net.outputs()) {
            long[] dims = batched(net.shapeOf(out.value()).dims());
            if (!names[out.value()].equals(out.name())) graph.node("Identity", out.name() + "/identity", out.name(), List.of(names[out.value()]), dims);
            graph.output(out.name(), dims);
        }
        return ModelProto.newBuilder()
                .setIrVersion(irVersion(opset))
                .setProducerName("dlnc")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph.build())
                .build();
    }

    /** The name of the value a layer writes: the model output's name when it is an output, else the layer's. */
    private String outputName(Network.Layer layer) {
        for (Network.Output out : net.outputs()) if (out.value() == layer.value()) return out.name();
        return layer.name();
    }

    /** The lowering of each op kind: one line per op. */
    private void layer(Network.Layer layer) {
        List<String> in = new ArrayList<>();
        for (int v : layer.inputs()) in.add(names[v]);
        String y = outputName(layer);
        if (identity(layer.op()) && y.equals(layer.name())) {
            names[layer.value()] = in.get(0);
            return;
        }
        names[layer.value()] = y;
        LayerNodes at = new LayerNodes(layer, in, net.shapeOf(layer.inputs().get(0)), y, graph, weights, opset);
        Op op = layer.op();
        if (op instanceof Dense d) dense(at, d);
        else if (op instanceof Conv c) conv(at, c);
        else if (op instanceof ConvTranspose c) convTranspose(at, c);
        else if (op instanceof Pool p) pool(at, p);
        else if (op instanceof GlobalPool g) globalPool(at, g);
        else if (op instanceof Upsample u) upsample(at, u);
        else if (op instanceof Flatten) at.last("Flatten", in, attr("axis", 1));
        else if (op instanceof Dropout) at.last("Identity", in);
        else if (op instanceof BatchNorm b) at.last("BatchNormalization", List.of(at.x(), at.param("weight"), at.param("bias"), at.param("running_mean"), at.param("running_var")), attr("epsilon", b.eps()));
        else if (op instanceof LayerNorm l) layerNorm(at, l);
        else if (op instanceof Embedding) at.last("Gather", List.of(at.param("weight"), at.x()), attr("axis", 0));
        else if (op instanceof Recurrent r) SequenceNodes.recurrent(at, r);
        else if (op instanceof Attention a) SequenceNodes.attention(at, a);
        else if (op instanceof Positional p) positional(at, p);
        else if (op instanceof Mean m) at.reduce("ReduceMean", "", at.x(), new long[] {m.axis() + 1}, false, at.out());
        else if (op instanceof Maxout m) maxout(at, m);
        else if (op instanceof dln.op.Add) at.last("Sum", in);
        else if (op instanceof Concat) at.last("Concat", in, attr("axis", 1));
        else if (op instanceof Activation a) ActivationNodes.activation(at, a);
        else throw new NotExportable("layer `" + layer.name() + "` (" + op.kind() + ") is not exportable to ONNX yet");
    }

    /** One example a vector: Gemm; with `per_step`, the same layer on every step of [N, T, in]: MatMul with the transposed weight and Add. */
    private static void dense(LayerNodes at, Dense d) {
        if (!d.perStep()) {
            at.last("Gemm", withParams(at), attr("transB", 1));
            return;
        }
        String weight = at.param("weight");
        at.linear("", at.x(), weight, at.has("bias") ? at.param("bias") : null, at.out(), new long[] {d.units(), at.inShape().dim(1)});
    }

    /** The input, the weight and the bias when the layer has one. */
    private static List<String> withParams(LayerNodes at) {
        List<String> in = new ArrayList<>(List.of(at.x(), at.param("weight")));
        if (at.has("bias")) in.add(at.param("bias"));
        return in;
    }

    private static void conv(LayerNodes at, Conv c) {
        at.last("Conv", withParams(at), ints("kernel_shape", c.kernel()), ints("strides", c.stride()),
                ints("pads", Graph.pads(c.padding())), ints("dilations", c.dilation()));
    }

    private static void convTranspose(LayerNodes at, ConvTranspose c) {
        at.last("ConvTranspose", withParams(at), ints("kernel_shape", c.kernel()), ints("strides", c.stride()),
                ints("pads", Graph.pads(c.padding())), ints("dilations", c.dilation()), ints("output_padding", c.outputPadding()));
    }

    private static void pool(LayerNodes at, Pool p) {
        var kernel = ints("kernel_shape", p.size());
        var strides = ints("strides", p.stride());
        var pads = ints("pads", Graph.pads(p.padding()));
        if (p.max()) at.last("MaxPool", at.in(), kernel, strides, pads);
        else at.last("AveragePool", at.in(), kernel, strides, pads, attr("count_include_pad", 1));
    }

    /** ONNX keeps the pooled axes as ones; DLN drops them. */
    private static void globalPool(LayerNodes at, GlobalPool g) {
        long[] kept = at.inDims();
        for (int i = 2; i < kept.length; i++) kept[i] = 1;
        String pooled = at.node(g.max() ? "GlobalMaxPool" : "GlobalAveragePool", "pooled", at.in(), kept);
        at.last("Flatten", List.of(pooled), attr("axis", 1));
    }

    /** Nearest neighbour as nn.Upsample: output i reads input floor(i / scale), which is Resize's asymmetric mode with floor. */
    private static void upsample(LayerNodes at, Upsample u) {
        float[] scales = new float[at.inDims().length];
        java.util.Arrays.fill(scales, 2, scales.length, u.scale());
        scales[0] = scales[1] = 1;
        String s = at.floats("scales", new long[] {scales.length}, scales);
        at.last("Resize", List.of(at.x(), "", s), Graph.attr("mode", "nearest"),
                Graph.attr("coordinate_transformation_mode", "asymmetric"), Graph.attr("nearest_mode", "floor"));
    }

    /**
     * ONNX's LayerNormalization from opset 17; before it the same arithmetic over the last axis:
     * (x − mean) / √(var + eps) · weight + bias, with the biased variance as PyTorch's.
     */
    private static void layerNorm(LayerNodes at, LayerNorm l) {
        String weight = at.param("weight"), bias = at.param("bias");
        if (at.opset() >= 17) {
            at.last("LayerNormalization", List.of(at.x(), weight, bias), attr("axis", -1), attr("epsilon", l.eps()));
            return;
        }
        long[] dims = at.inDims(), reduced = dims.clone();
        reduced[reduced.length - 1] = 1;
        long[] last = {-1};
        String centered = at.node("Sub", "centered", List.of(at.x(), at.reduce("ReduceMean", "mean", at.x(), last, true, reduced)), dims);
        String square = at.node("Mul", "square", List.of(centered, centered), dims);
        String variance = at.reduce("ReduceMean", "variance", square, last, true, reduced);
        String eps = at.floats("eps", new long[0], (float) l.eps());
        String std = at.node("Sqrt", "std", List.of(at.node("Add", "variance_eps", List.of(variance, eps), reduced)), reduced);
        String scaled = at.node("Mul", "scaled", List.of(at.node("Div", "normalized", List.of(centered, std), dims), weight), dims);
        at.last("Add", List.of(scaled, bias));
    }

    /** x + weight[0:T]: the learned positions, sliced to the sequence's length when it is shorter. */
    private static void positional(LayerNodes at, Positional p) {
        long t = at.inShape().dim(0), d = at.inShape().dim(1);
        String w = at.param("weight");
        if (t < p.maxLen()) {
            w = at.node("Slice", "positions", List.of(w, at.ints("starts", 0), at.ints("ends", t), at.ints("axes", 0)), new long[] {t, d});
        }
        at.last("Add", List.of(at.x(), w));
    }

    /** The affine maps [N, units·pieces] viewed as [N, units, pieces], and the max over the pieces. */
    private static void maxout(LayerNodes at, Maxout m) {
        String affine = at.node("Gemm", "affine", withParams(at), batched(m.units() * m.pieces()), attr("transB", 1));
        String pieces = at.reshape("pieces", affine, batched(m.units(), m.pieces()));
        at.reduce("ReduceMax", "", pieces, new long[] {2}, false, at.out());
    }

    /** Dropout and the linear activation compute nothing at inference: a model output gets an Identity, other layers read the input. */
    private static boolean identity(Op op) {
        return op instanceof Dropout || op instanceof Activation a && a.fn() == Activation.Fn.LINEAR;
    }
}
