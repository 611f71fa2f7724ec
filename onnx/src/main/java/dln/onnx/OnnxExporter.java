package dln.onnx;

import com.google.protobuf.ByteString;
import dln.onnx.proto.OnnxProto.AttributeProto;
import dln.onnx.proto.OnnxProto.GraphProto;
import dln.onnx.proto.OnnxProto.ModelProto;
import dln.onnx.proto.OnnxProto.NodeProto;
import dln.onnx.proto.OnnxProto.OperatorSetIdProto;
import dln.onnx.proto.OnnxProto.TensorProto;
import dln.onnx.proto.OnnxProto.TensorShapeProto;
import dln.onnx.proto.OnnxProto.TypeProto;
import dln.onnx.proto.OnnxProto.ValueInfoProto;
import dln.op.Activation;
import dln.op.BatchNorm;
import dln.op.Concat;
import dln.op.Conv;
import dln.op.Dense;
import dln.op.Dropout;
import dln.op.Flatten;
import dln.op.GlobalPool;
import dln.op.LayerNorm;
import dln.op.Network;
import dln.op.Pool;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.runtime.io.Safetensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a checked model's inference graph as ONNX: takes a {@link Network} and its weights (named
 * as DLN names them), gives a {@link ModelProto} whose graph inputs and outputs are the model's,
 * with a symbolic batch dimension `N`, every weight an initializer under its DLN name, dropout
 * removed and batch norm in inference form (running statistics). A layer without an ONNX form at
 * the chosen opset is a {@link NotExportable} naming it.
 */
public final class OnnxExporter {
    /** The opset written unless another is asked for. */
    public static final int DEFAULT_OPSET = 17;
    /** The opsets this exporter writes: from softmax over the last axis (13) to what ONNX Runtime 1.22 reads. */
    public static final int MIN_OPSET = 13, MAX_OPSET = 22;
    private static final String BATCH = "N";

    /** A layer or request that ONNX cannot express here; the message names the layer. */
    public static final class NotExportable extends IllegalArgumentException {
        NotExportable(String message) { super(message); }
    }

    private final Network net;
    private final Map<String, Safetensors.Tensor> weights;
    private final int opset;
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final String[] names;

    private OnnxExporter(Network net, Map<String, Safetensors.Tensor> weights, int opset) {
        this.net = net;
        this.weights = weights;
        this.opset = opset;
        this.names = new String[net.inputs().size() + net.layers().size()];
    }

    /** The ONNX model of {@code net} at {@code opset} with these weights (every parameter and buffer of the network). */
    public static ModelProto export(Network net, Map<String, Safetensors.Tensor> weights, int opset) {
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new NotExportable("opset " + opset + " is not supported: choose " + MIN_OPSET + " to " + MAX_OPSET);
        }
        return new OnnxExporter(net, weights, opset).model();
    }

    private ModelProto model() {
        graph.setName(net.name());
        for (Network.Input in : net.inputs()) {
            if (in.dtype() != dln.net.DType.FLOAT) throw new NotExportable("input `" + in.name() + "` of integer ids is not exportable yet");
            names[in.value()] = in.name();
            graph.addInput(valueInfo(in.name(), in.shape()));
        }
        for (Network.Layer layer : net.layers()) layer(layer);
        for (Network.Output out : net.outputs()) {
            if (!names[out.value()].equals(out.name())) node("Identity", out.name() + "/identity", List.of(names[out.value()]), out.name());
            graph.addOutput(valueInfo(out.name(), net.shapeOf(out.value())));
        }
        return ModelProto.newBuilder()
                .setIrVersion(opset <= 18 ? 8 : opset <= 20 ? 9 : 10)
                .setProducerName("dlnc")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph)
                .build();
    }

    /** The name of the value a layer writes: the model output's name when it is an output, else the layer's. */
    private String outputName(Network.Layer layer) {
        for (Network.Output out : net.outputs()) if (out.value() == layer.value()) return out.name();
        return layer.name();
    }

    private void layer(Network.Layer layer) {
        List<String> in = new ArrayList<>();
        for (int v : layer.inputs()) in.add(names[v]);
        String y = outputName(layer);
        names[layer.value()] = y;
        var op = layer.op();
        if (op instanceof Dense d && !d.perStep() && net.shapeOf(layer.inputs().get(0)).rank() == 1) {
            node("Gemm", layer.name(), params(layer, in), y, attr("transB", 1));
        } else if (op instanceof Conv c) {
            node("Conv", layer.name(), params(layer, in), y, window("kernel_shape", c.kernel(), c.stride(), c.padding()), ints("dilations", c.dilation()));
        } else if (op instanceof Pool p) {
            List<AttributeProto> attrs = window("kernel_shape", p.size(), p.stride(), p.padding());
            if (p.max()) node("MaxPool", layer.name(), in, y, attrs);
            else node("AveragePool", layer.name(), in, y, attrs, attr("count_include_pad", 1));
        } else if (op instanceof GlobalPool g) {
            node(g.max() ? "GlobalMaxPool" : "GlobalAveragePool", layer.name(), in, layer.name() + "/pooled");
            node("Flatten", layer.name() + "/flatten", List.of(layer.name() + "/pooled"), y, attr("axis", 1));
        } else if (op instanceof Flatten) {
            node("Flatten", layer.name(), in, y, attr("axis", 1));
        } else if (op instanceof Dropout) {
            alias(layer, in.get(0), y);
        } else if (op instanceof BatchNorm b) {
            node("BatchNormalization", layer.name(), params(layer, in), y, attr("epsilon", b.eps()));
        } else if (op instanceof LayerNorm l) {
            needs(layer, 17);
            node("LayerNormalization", layer.name(), params(layer, in), y, attr("axis", -1), attr("epsilon", l.eps()));
        } else if (op instanceof dln.op.Add) {
            node("Sum", layer.name(), in, y);
        } else if (op instanceof Concat) {
            node("Concat", layer.name(), in, y, attr("axis", 1));
        } else if (op instanceof Activation a) {
            activation(layer, a, in.get(0), y);
        } else {
            throw notYet(layer);
        }
    }

    private void activation(Network.Layer layer, Activation a, String x, String y) {
        switch (a.fn()) {
            case LINEAR -> alias(layer, x, y);
            case RELU -> node("Relu", layer.name(), List.of(x), y);
            case SIGMOID -> node("Sigmoid", layer.name(), List.of(x), y);
            case TANH -> node("Tanh", layer.name(), List.of(x), y);
            case SOFTMAX -> node("Softmax", layer.name(), List.of(x), y, attr("axis", -1));
            case LEAKY_RELU -> node("LeakyRelu", layer.name(), List.of(x), y, attr("alpha", a.alpha()));
            case ELU -> node("Elu", layer.name(), List.of(x), y, attr("alpha", a.alpha()));
            case GELU -> {
                needs(layer, 20);
                node("Gelu", layer.name(), List.of(x), y);
            }
            case SILU -> {
                node("Sigmoid", layer.name() + "/sigmoid", List.of(x), layer.name() + "/sigmoid");
                node("Mul", layer.name(), List.of(x, layer.name() + "/sigmoid"), y);
            }
            default -> throw notYet(layer);
        }
    }

    /** A layer that computes nothing at inference: its value is its input's, unless it is a model output. */
    private void alias(Network.Layer layer, String x, String y) {
        if (y.equals(layer.name())) names[layer.value()] = x;
        else node("Identity", layer.name(), List.of(x), y);
    }

    private void needs(Network.Layer layer, int opset) {
        if (this.opset < opset) {
            throw new NotExportable("layer `" + layer.name() + "` (" + layer.op().kind() + ") needs ONNX opset " + opset
                    + " or later, but the export is at opset " + this.opset + ": give --opset " + opset);
        }
    }

    private static NotExportable notYet(Network.Layer layer) {
        return new NotExportable("layer `" + layer.name() + "` (" + layer.op().kind() + ") is not exportable to ONNX yet");
    }

    /** The inputs followed by the layer's parameters and buffers, each added once as an initializer. */
    private List<String> params(Network.Layer layer, List<String> in) {
        List<String> out = new ArrayList<>(in);
        for (ParamSpec p : layer.params()) {
            String name = layer.name() + "." + p.name();
            Safetensors.Tensor t = weights.get(name);
            if (t == null) throw new IllegalArgumentException("the weights have no tensor `" + name + "`");
            graph.addInitializer(initializer(name, t));
            out.add(name);
        }
        return out;
    }

    private static TensorProto initializer(String name, Safetensors.Tensor t) {
        ByteBuffer bytes = ByteBuffer.allocate(t.data().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(t.data());
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (long d : t.shape()) b.addDims(d);
        return b.build();
    }

    private static ValueInfoProto valueInfo(String name, Shape shape) {
        TensorShapeProto.Builder dims = TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
        for (long d : shape.dims()) dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(dims)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    private void node(String opType, String name, List<String> in, String out, AttributeProto... attrs) {
        node(opType, name, in, out, List.of(attrs));
    }

    private void node(String opType, String name, List<String> in, String out, List<AttributeProto> window, AttributeProto... more) {
        List<AttributeProto> all = new ArrayList<>(window);
        all.addAll(List.of(more));
        graph.addNode(NodeProto.newBuilder().setOpType(opType).setName(name).addAllInput(in).addOutput(out).addAllAttribute(all));
    }

    /** A sliding window's kernel, strides and pads (the same padding at both ends of each axis). */
    private static List<AttributeProto> window(String kernelName, long[] kernel, long[] stride, long[] padding) {
        long[] pads = new long[2 * padding.length];
        for (int i = 0; i < padding.length; i++) pads[i] = pads[i + padding.length] = padding[i];
        return List.of(ints(kernelName, kernel), ints("strides", stride), ints("pads", pads));
    }

    private static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto attr(String name, double value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF((float) value).build();
    }

    private static AttributeProto ints(String name, long[] values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) b.addInts(v);
        return b.build();
    }
}
