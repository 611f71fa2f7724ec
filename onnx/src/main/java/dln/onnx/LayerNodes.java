package dln.onnx;

import dln.net.Shape;
import dln.onnx.proto.OnnxProto.AttributeProto;
import dln.op.Network;
import dln.runtime.io.Safetensors;
import java.util.List;
import java.util.Map;

/**
 * One layer being written: its input values, the name its result takes ({@link #y}), and helpers
 * that add its nodes to the graph. The layer's last node is named as the layer and writes
 * {@code y}; the values before it are named `layer/part`, so every name stays unique.
 */
record LayerNodes(Network.Layer layer, List<String> in, Shape inShape, String y, Graph graph,
                  Map<String, Safetensors.Tensor> weights, int opset) {

    String x() { return in.get(0); }

    String name() { return layer.name(); }

    /** The name of an intermediate value or node of this layer. */
    String part(String part) { return layer.name() + "/" + part; }

    /** The layer's output shape with its batch dimension. */
    long[] out() { return Graph.batched(layer.shape().dims()); }

    /** The input's shape with its batch dimension. */
    long[] inDims() { return Graph.batched(inShape.dims()); }

    boolean has(String param) {
        return layer.params().stream().anyMatch(p -> p.name().equals(param));
    }

    /** The layer's parameter {@code param} as an initializer under its DLN name (`dense_1.weight`). */
    String param(String param) {
        String full = layer.name() + "." + param;
        Safetensors.Tensor t = weights.get(full);
        if (t == null) throw new IllegalArgumentException("the weights have no tensor `" + full + "`");
        return graph.weight(full, t);
    }

    /** The layer's last node: named as the layer, writing its result. */
    String last(String op, List<String> inputs, AttributeProto... attrs) {
        return graph.node(op, layer.name(), y, inputs, out(), attrs);
    }

    /** An intermediate node writing `layer/part` of shape {@code dims}. */
    String node(String op, String part, List<String> inputs, long[] dims, AttributeProto... attrs) {
        return graph.node(op, part(part), inputs, dims, attrs);
    }

    /** An intermediate node writing `layer/part` of element type {@code type} (a {@link Graph} constant). */
    String node(String op, String part, int type, List<String> inputs, long[] dims, AttributeProto... attrs) {
        return graph.node(op, part(part), List.of(part(part)), List.of(type), List.of(dims), inputs, attrs).get(0);
    }

    /** `layer/part`: a 1-D int64 constant (a shape, axes, indices). */
    String ints(String part, long... values) { return graph.intConstant(part(part), values); }

    /** `layer/part`: a float constant of shape {@code dims}. */
    String floats(String part, long[] dims, float... values) { return graph.floatConstant(part(part), dims, values); }

    /** Reshape to {@code dims}, whose batch dimension is copied from the input (ONNX's 0). */
    String reshape(String part, String value, long[] dims) {
        long[] target = dims.clone();
        for (int i = 0; i < target.length; i++) if (target[i] == Graph.N) target[i] = 0;
        return node("Reshape", part, List.of(value, ints(part + "_shape", target)), dims);
    }

    /** A node writing `layer/part`, or the layer's result when {@code part} is empty. */
    String write(String op, String part, List<String> inputs, long[] dims, AttributeProto... attrs) {
        return part.isEmpty() ? last(op, inputs, attrs) : node(op, part, inputs, dims, attrs);
    }

    /** A reduction over {@code axes}: the axes an attribute before opset 18, an input from 18 on. */
    String reduce(String op, String part, String value, long[] axes, boolean keep, long[] dims) {
        AttributeProto keepdims = Graph.attr("keepdims", keep ? 1 : 0);
        if (opset < 18) return write(op, part, List.of(value), dims, Graph.ints("axes", axes), keepdims);
        return write(op, part, List.of(value, ints(part.isEmpty() ? "axes" : part + "_axes", axes)), dims, keepdims);
    }

    /**
     * x·weightᵀ (+ bias) over the last axis of a value of any rank, as nn.Linear: the weight
     * [out, in] transposed, a MatMul and an Add. Writes the layer's result when {@code part} is empty.
     */
    String linear(String part, String value, String weight, String bias, long[] dims, long[] weightDims) {
        String prefix = part.isEmpty() ? "" : part + "_";
        String wt = node("Transpose", prefix + "weight_t", List.of(weight), new long[] {weightDims[1], weightDims[0]}, Graph.ints("perm", 1, 0));
        if (bias == null) return write("MatMul", part, List.of(value, wt), dims);
        return write("Add", part, List.of(node("MatMul", prefix + "matmul", List.of(value, wt), dims), bias), dims);
    }
}
