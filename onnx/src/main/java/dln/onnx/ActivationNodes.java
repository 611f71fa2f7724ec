package dln.onnx;

import static dln.onnx.Graph.attr;

import dln.op.Activation;
import java.util.Arrays;
import java.util.List;

/** The ONNX form of each activation layer: one ONNX op where there is one, else a few elementwise ones. */
final class ActivationNodes {
    private ActivationNodes() {}

    private static final long[] SCALAR = {};

    static void activation(LayerNodes at, Activation a) {
        List<String> x = at.in();
        switch (a.fn()) {
            case LINEAR -> at.last("Identity", x);
            case STEP -> step(at);
            case SIGMOID -> at.last("Sigmoid", x);
            case TANH -> at.last("Tanh", x);
            case RELU -> at.last("Relu", x);
            case LEAKY_RELU -> at.last("LeakyRelu", x, attr("alpha", a.alpha()));
            case PRELU -> prelu(at);
            case ELU -> at.last("Elu", x, attr("alpha", a.alpha()));
            case GELU -> gelu(at);
            case SILU -> at.last("Mul", List.of(at.x(), at.node("Sigmoid", "sigmoid", x, at.inDims())));
            case SOFTMAX -> at.last("Softmax", x, attr("axis", -1));
        }
    }

    /** 1 where x ≥ 0, else 0, as DLN's step: a comparison cast back to float. */
    private static void step(LayerNodes at) {
        String zero = at.floats("zero", SCALAR, 0f);
        String test = at.node("GreaterOrEqual", "at_least_zero", Graph.BOOL, List.of(at.x(), zero), at.inDims());
        at.last("Cast", List.of(test), attr("to", (long) Graph.FLOAT));
    }

    /** One slope per channel (axis 0 of an example), shaped [C, 1, ...] so that it broadcasts over the other axes. */
    private static void prelu(LayerNodes at) {
        String slope = at.param("weight");
        int rank = at.inShape().rank();
        if (rank > 1) {
            long[] dims = new long[rank];
            Arrays.fill(dims, 1);
            dims[0] = at.inShape().dim(0);
            slope = at.reshape("slope", slope, dims);
        }
        at.last("PRelu", List.of(at.x(), slope));
    }

    /** ONNX's Gelu from opset 20; before it the same exact form, x/2·(1 + erf(x/√2)), from Erf. */
    private static void gelu(LayerNodes at) {
        if (at.opset() >= 20) {
            at.last("Gelu", at.in());
            return;
        }
        long[] dims = at.inDims();
        String scaled = at.node("Div", "scaled", List.of(at.x(), at.floats("sqrt2", SCALAR, (float) Math.sqrt(2))), dims);
        String erf = at.node("Erf", "erf", List.of(scaled), dims);
        String plusOne = at.node("Add", "plus_one", List.of(erf, at.floats("one", SCALAR, 1f)), dims);
        String half = at.node("Mul", "half_x", List.of(at.x(), at.floats("half", SCALAR, 0.5f)), dims);
        at.last("Mul", List.of(half, plusOne));
    }
}
