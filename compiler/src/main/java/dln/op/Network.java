package dln.op;

import dln.diag.Span;
import dln.net.DType;
import dln.net.Initializer;
import dln.net.ParamSpec;
import dln.net.Shape;
import java.util.List;

/**
 * A checked model: its inputs, its layers in the order they run (blocks expanded), and its
 * outputs. Values are numbered: inputs first, then one value per layer, so a layer's inputs are
 * the values of earlier layers or model inputs. This is what code generation lowers.
 */
public record Network(String name, List<Input> inputs, List<Layer> layers, List<Output> outputs, Span span) {

    /** A model input, value number {@code value}. */
    public record Input(String name, Shape shape, DType dtype, int value, Span span) {}

    /** A model output: the value it names. */
    public record Output(String name, int value, Span span) {}

    /**
     * One layer: its full name (`residual_1.conv2d_1`), op, input values, output shape, parameters
     * (names relative to the layer), initializer (null for the train block's default) and FLOPs.
     */
    public record Layer(String name, Op op, List<Integer> inputs, int value, Shape shape, DType dtype,
                        List<ParamSpec> params, Initializer init, long flops, Span span) {

        public long paramCount() {
            long n = 0;
            for (ParamSpec p : params) n = Math.addExact(n, p.shape().size());
            return n;
        }

        public long trainableCount() {
            long n = 0;
            for (ParamSpec p : params) if (p.trainable()) n = Math.addExact(n, p.shape().size());
            return n;
        }
    }

    /** The shape of value {@code v}. */
    public Shape shapeOf(int v) {
        return v < inputs.size() ? inputs.get(v).shape() : layers.get(v - inputs.size()).shape();
    }

    /** The layer that produces value {@code v}, or null for a model input. */
    public Layer producer(int v) {
        return v < inputs.size() ? null : layers.get(v - inputs.size());
    }

    public long paramCount() {
        long n = 0;
        for (Layer l : layers) n = Math.addExact(n, l.paramCount());
        return n;
    }

    public long trainableCount() {
        long n = 0;
        for (Layer l : layers) n = Math.addExact(n, l.trainableCount());
        return n;
    }

    public long flops() {
        long n = 0;
        for (Layer l : layers) n = Math.addExact(n, l.flops());
        return n;
    }
}
