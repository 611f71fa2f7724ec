package dln.op;

import dln.net.Initializer;
import dln.net.ParamSpec;
import dln.runtime.Init;
import java.util.List;

/** PyTorch's initial values of weights and biases, and the named initializers that replace them. */
final class Inits {
    private Inits() {}

    /**
     * A weight starts as {@code chosen} says, or as PyTorch's layer does by default (kaiming-uniform
     * with a = √5, fan-in over every axis but the first); a bias (`bias`, `bias_ih`, ...) at zero
     * under a named initializer, else uniform in ±1/√fan-in of the layer's weight.
     */
    static Init weights(ParamSpec param, List<ParamSpec> all, Initializer chosen) {
        long[] shape = param.shape().dims();
        boolean named = !chosen.kind().equals("default");
        if (param.name().startsWith("bias")) {
            if (named) return constant("zeros", 0);
            ParamSpec weight = all.stream().filter(p -> p.name().equals("weight")).findFirst().orElseThrow();
            return new Init("torch", 0, fanIn(weight.shape().dims()), 0);
        }
        long fanOut = shape[0];
        for (int i = 2; i < shape.length; i++) fanOut *= shape[i];
        return new Init(named ? chosen.kind() : "torch", chosen.scale(), fanIn(shape), fanOut);
    }

    /** The product of every axis but the first: a row of the weight. */
    static long fanIn(long[] shape) {
        long fanIn = 1;
        for (int i = 1; i < shape.length; i++) fanIn *= shape[i];
        return fanIn;
    }

    static Init constant(String kind, double value) {
        return new Init(kind, value, 0, 0);
    }
}
