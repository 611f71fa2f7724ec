package dln.onnx;

import com.google.protobuf.ByteString;
import dln.onnx.proto.OnnxProto.AttributeProto;
import dln.onnx.proto.OnnxProto.GraphProto;
import dln.onnx.proto.OnnxProto.NodeProto;
import dln.onnx.proto.OnnxProto.TensorProto;
import dln.onnx.proto.OnnxProto.TensorShapeProto;
import dln.onnx.proto.OnnxProto.TypeProto;
import dln.onnx.proto.OnnxProto.ValueInfoProto;
import dln.runtime.io.Safetensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ONNX graph being written: nodes, each value they make declared with its type and shape (a
 * value_info, or the graph output's entry), initializers and constants. Every node and value name
 * is checked to be new, so the graph is in SSA form with unique node names. Shapes are dims with
 * {@link #N} for the symbolic batch dimension, which may stand at any position (time-major values
 * of a recurrent layer have it second).
 */
final class Graph {
    /** The batch dimension in a shape: written as the symbolic dimension `N`. */
    static final long N = -1;
    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE, INT64 = TensorProto.DataType.INT64_VALUE, BOOL = TensorProto.DataType.BOOL_VALUE;
    private static final String BATCH = "N";

    private final GraphProto.Builder proto = GraphProto.newBuilder();
    private final Set<String> values = new HashSet<>(), nodes = new HashSet<>();
    private final Set<String> outputs;

    /** A graph whose outputs will be {@code outputs}: values of those names are declared as outputs, not as value_info. */
    Graph(String name, Set<String> outputs) {
        proto.setName(name);
        this.outputs = outputs;
    }

    GraphProto build() { return proto.build(); }

    void input(String name, int type, long[] dims) {
        define(values, name);
        proto.addInput(valueInfo(name, type, dims));
    }

    void output(String name, long[] dims) { proto.addOutput(valueInfo(name, FLOAT, dims)); }

    /** A node of one float output, named as its output. */
    String node(String op, String out, List<String> in, long[] dims, AttributeProto... attrs) {
        return node(op, out, out, in, dims, attrs);
    }

    /** A node named {@code name} of one float output {@code out} of shape {@code dims}. */
    String node(String op, String name, String out, List<String> in, long[] dims, AttributeProto... attrs) {
        return node(op, name, List.of(out), List.of(FLOAT), List.of(dims), in, attrs).get(0);
    }

    /** A node with several outputs; an empty output name leaves that optional output out. */
    List<String> node(String op, String name, List<String> out, List<Integer> types, List<long[]> dims, List<String> in, AttributeProto... attrs) {
        define(nodes, name);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).isEmpty()) continue;
            define(values, out.get(i));
            if (!outputs.contains(out.get(i))) proto.addValueInfo(valueInfo(out.get(i), types.get(i), dims.get(i)));
        }
        proto.addNode(NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out).addAllAttribute(List.of(attrs)));
        return out;
    }

    /** A DLN weight as an initializer under its own name. */
    String weight(String name, Safetensors.Tensor t) {
        return floatConstant(name, t.shape(), t.data());
    }

    /** A float initializer. */
    String floatConstant(String name, long[] dims, float... data) {
        ByteBuffer bytes = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(data);
        return initializer(name, FLOAT, dims, bytes.array());
    }

    /** A 1-D int64 initializer: shapes, axes, indices. */
    String intConstant(String name, long... data) { return intConstant(name, new long[] {data.length}, data); }

    /** An int64 initializer of shape {@code dims} (empty: a scalar). */
    String intConstant(String name, long[] dims, long... data) {
        ByteBuffer bytes = ByteBuffer.allocate(data.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(data);
        return initializer(name, INT64, dims, bytes.array());
    }

    private String initializer(String name, int type, long[] dims, byte[] raw) {
        define(values, name);
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(type).setRawData(ByteString.copyFrom(raw));
        for (long d : dims) b.addDims(d);
        proto.addInitializer(b);
        return name;
    }

    private static void define(Set<String> names, String name) {
        if (!names.add(name)) throw new IllegalStateException("two ONNX nodes or values named `" + name + "`");
    }

    private static ValueInfoProto valueInfo(String name, int type, long[] dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            var dim = TensorShapeProto.Dimension.newBuilder();
            shape.addDim(d == N ? dim.setDimParam(BATCH) : dim.setDimValue(d));
        }
        TypeProto t = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(t).build();
    }

    /** The shape of a value with a batch: [N, dims...]. */
    static long[] batched(long... dims) {
        long[] out = new long[dims.length + 1];
        out[0] = N;
        System.arraycopy(dims, 0, out, 1, dims.length);
        return out;
    }

    static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto attr(String name, double value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF((float) value).build();
    }

    static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(value)).build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) b.addInts(v);
        return b.build();
    }

    static AttributeProto floatList(String name, List<Float> values) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOATS).addAllFloats(values).build();
    }

    static AttributeProto strings(String name, List<String> values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRINGS);
        for (String v : values) b.addStrings(ByteString.copyFromUtf8(v));
        return b.build();
    }

    /** The same padding at both ends of each axis, as ONNX's pads list them: all begins, then all ends. */
    static long[] pads(long[] padding) {
        long[] pads = new long[2 * padding.length];
        for (int i = 0; i < padding.length; i++) pads[i] = pads[i + padding.length] = padding[i];
        return pads;
    }
}
