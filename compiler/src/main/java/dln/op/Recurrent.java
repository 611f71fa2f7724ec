package dln.op;

import dln.diag.Diag;
import dln.ir.Node;
import dln.kernel.Act;
import dln.net.ArgSpec.Kind;
import dln.net.ArgSpec;
import dln.net.Initializer;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.runtime.Init;
import java.util.List;
import java.util.Locale;
import static java.lang.Math.addExact;
import static java.lang.Math.multiplyExact;

/**
 * `rnn(units, sequences = false, activation = tanh, init?)` and `lstm(units, sequences = false, init?)`
 * over [T, F]: the last hidden state [units], or every one [T, units]. PyTorch layout:
 * weight_ih [G*H, F], weight_hh [G*H, H], bias_ih and bias_hh [G*H], with G = 4 gates (i, f, g, o)
 * for an LSTM and G = 1 for an RNN.
 */
public record Recurrent(boolean lstm, long units, boolean sequences, Activation.Fn activation) implements Op {
    static final List<Signature> SIGNATURES = List.of(
            Signature.of("rnn", "Simple recurrent layer over a sequence [T, F] -> [units] (the last state), or [T, units] with `sequences: true`.", 1, a -> new Recurrent(false, a.count("units"), a.flag("sequences"),
                            Activation.Fn.valueOf(a.word("activation").toUpperCase(Locale.ROOT))),
                    Signature.UNITS, ArgSpec.optional("sequences", Kind.BOOL, false),
                    ArgSpec.word("activation", "tanh", "tanh", "relu", "sigmoid", "linear"), Signature.INIT),
            Signature.of("lstm", "LSTM over a sequence [T, F] -> [units] (the last state), or [T, units] with `sequences: true`; gates i, f, g, o.", 1, a -> new Recurrent(true, a.count("units"), a.flag("sequences"), Activation.Fn.TANH),
                    Signature.UNITS, ArgSpec.optional("sequences", Kind.BOOL, false), Signature.INIT));

    public String kind() { return lstm ? "lstm" : "rnn"; }

    public Shape infer(List<Shape> in, Problems p) {
        Shape x = in.get(0);
        if (x.rank() != 2) {
            var report = p.report(Diag.WrongInputRank, kind(), "a 2-D [time, features]", x);
            if (x.rank() == 1) report.help("a sequence of " + x.dim(0) + " single values is written [" + x.dim(0) + ", 1]");
            return null;
        }
        return sequences ? Shape.of(x.dim(0), units) : Shape.of(units);
    }

    public List<ParamSpec> params(List<Shape> in) {
        long gates = multiplyExact(lstm ? 4 : 1, units);
        return List.of(ParamSpec.trained("weight_ih", gates, in.get(0).dim(1)),
                ParamSpec.trained("weight_hh", gates, units),
                ParamSpec.trained("bias_ih", gates), ParamSpec.trained("bias_hh", gates));
    }

    /**
     * As PyTorch's recurrent layers, every parameter uniform in ±1/√units, unless the layer names an
     * initializer: then the weights take it and the biases start at zero (the train block's default
     * leaves them).
     */
    public Init init(ParamSpec param, List<ParamSpec> all, Initializer own, Initializer fallback) {
        return own != null ? Inits.weights(param, all, own) : Inits.constant("uniform", 1 / Math.sqrt(units));
    }

    public long flops(List<Shape> in, Shape out) {
        long gates = multiplyExact(lstm ? 4 : 1, units);
        long perStep = multiplyExact(2 * gates, addExact(in.get(0).dim(1), units));
        return multiplyExact(in.get(0).dim(0), perStep);
    }

    public void lower(Lowerer.Context c) {
        Shape in = c.inShape();
        Act act = lstm || activation == null ? Act.TANH : activation.act();
        c.add(new Node.Recurrent(c.name(), c.x(), c.y(), lstm, in.dim(0), in.dim(1), units, act, sequences,
                c.param("weight_ih"), c.param("weight_hh"), c.param("bias_ih"), c.param("bias_hh")));
    }
}
