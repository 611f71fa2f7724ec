package dln.op;

import dln.diag.Diag;
import dln.ir.Node;
import dln.kernel.Act;
import dln.kernel.RecurrentCell;
import dln.net.ArgSpec.Kind;
import dln.net.ArgSpec;
import dln.net.Args;
import dln.net.Initializer;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.runtime.Init;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import static java.lang.Math.addExact;
import static java.lang.Math.multiplyExact;

/**
 * `rnn(units, sequences = false, activation = tanh, bidirectional = false, init?)`, `lstm(units,
 * sequences = false, bidirectional = false, init?)` and `gru(...)` as lstm, over [T, F]: the last
 * hidden state [units], or every one [T, units]; bidirectional, both directions' [2·units] or [T,
 * 2·units], the forward half first. PyTorch layout: weight_ih [G*H, F], weight_hh [G*H, H], bias_ih
 * and bias_hh [G*H], with G = 1 for an rnn, 4 gates (i, f, g, o) for an LSTM and 3 (r, z, n) for a
 * GRU; the reverse direction's the same names with the suffix `_reverse`.
 */
public record Recurrent(RecurrentCell cell, long units, boolean sequences, Activation.Fn activation, boolean bidirectional) implements Op {
    private static final ArgSpec SEQUENCES = ArgSpec.optional("sequences", Kind.BOOL, false);
    private static final ArgSpec BIDIRECTIONAL = ArgSpec.optional("bidirectional", Kind.BOOL, false);

    static final List<Signature> SIGNATURES = List.of(
            Signature.of("rnn", "Simple recurrent layer over a sequence [T, F] -> [units] (the last state), or [T, units] with `sequences: true`; twice the units with `bidirectional: true`.",
                    1, a -> new Recurrent(RecurrentCell.RNN, a.count("units"), a.flag("sequences"),
                            Activation.Fn.valueOf(a.word("activation").toUpperCase(Locale.ROOT)), a.flag("bidirectional")),
                    Signature.UNITS, SEQUENCES, ArgSpec.word("activation", "tanh", "tanh", "relu", "sigmoid", "linear"), BIDIRECTIONAL, Signature.INIT),
            Signature.of("lstm", "LSTM over a sequence [T, F] -> [units] (the last state), or [T, units] with `sequences: true`; gates i, f, g, o; twice the units with `bidirectional: true`.",
                    1, a -> gated(RecurrentCell.LSTM, a), Signature.UNITS, SEQUENCES, BIDIRECTIONAL, Signature.INIT),
            Signature.of("gru", "GRU over a sequence [T, F] -> [units] (the last state), or [T, units] with `sequences: true`; gates r, z, n; twice the units with `bidirectional: true`.",
                    1, a -> gated(RecurrentCell.GRU, a), Signature.UNITS, SEQUENCES, BIDIRECTIONAL, Signature.INIT));

    private static Recurrent gated(RecurrentCell cell, Args a) {
        return new Recurrent(cell, a.count("units"), a.flag("sequences"), Activation.Fn.TANH, a.flag("bidirectional"));
    }

    public String kind() { return cell.kind(); }

    public Shape infer(List<Shape> in, Problems p) {
        Shape x = in.get(0);
        if (x.rank() != 2) {
            var report = p.report(Diag.WrongInputRank, kind(), "a 2-D [time, features]", x);
            if (x.rank() == 1) report.help("a sequence of " + x.dim(0) + " single values is written [" + x.dim(0) + ", 1]");
            return null;
        }
        long width = multiplyExact(directions().size(), units);
        return sequences ? Shape.of(x.dim(0), width) : Shape.of(width);
    }

    /** The parameter suffix of each direction: "" (forward), then "_reverse" when bidirectional. */
    private List<String> directions() { return bidirectional ? List.of("", "_reverse") : List.of(""); }

    public List<ParamSpec> params(List<Shape> in) {
        long gates = multiplyExact(cell.gates(), units);
        List<ParamSpec> params = new ArrayList<>();
        for (String d : directions()) { // PyTorch's order: one direction's four, then the other's
            params.add(ParamSpec.trained("weight_ih" + d, gates, in.get(0).dim(1)));
            params.add(ParamSpec.trained("weight_hh" + d, gates, units));
            params.add(ParamSpec.trained("bias_ih" + d, gates));
            params.add(ParamSpec.trained("bias_hh" + d, gates));
        }
        return params;
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
        long gates = multiplyExact(cell.gates(), units);
        long perStep = multiplyExact(2 * gates, addExact(in.get(0).dim(1), units));
        return multiplyExact(directions().size(), multiplyExact(in.get(0).dim(0), perStep));
    }

    public void lower(Lowerer.Context c) {
        Shape in = c.inShape();
        Act act = cell != RecurrentCell.RNN || activation == null ? Act.TANH : activation.act();
        List<Node.Recurrent.Direction> directions = directions().stream().map(d -> new Node.Recurrent.Direction(
                c.param("weight_ih" + d), c.param("weight_hh" + d), c.param("bias_ih" + d), c.param("bias_hh" + d), d)).toList();
        c.add(new Node.Recurrent(c.name(), c.x(), c.y(), cell, in.dim(0), in.dim(1), units, act, sequences, directions));
    }
}
