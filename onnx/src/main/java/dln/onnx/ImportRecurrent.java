package dln.onnx;

import static dln.onnx.ImportTensors.integer;
import static dln.onnx.ImportTensors.onlyAttributes;
import static dln.onnx.ImportTensors.shape;
import static dln.onnx.ImportTensors.text;

import dln.onnx.ImportValue.Act;
import dln.onnx.ImportValue.Const;
import dln.onnx.ImportValue.Rec;
import dln.onnx.ImportValue.TimeMajor;
import dln.onnx.ImportValue.Zeros;
import dln.onnx.proto.OnnxProto.NodeProto;
import dln.runtime.io.Safetensors.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * ONNX's LSTM, GRU and RNN as DLN's lstm, gru and rnn (PyTorch's layers): W, R and B split per
 * direction into weight_ih, weight_hh, bias_ih and bias_hh, the gates put back in PyTorch's order
 * (ONNX LSTM i, o, f, c to i, f, g, o; GRU z, r, h to r, z, n). The layer's outputs stay
 * {@link Rec} until a reader shows whether the model uses every step or only the final state.
 */
final class ImportRecurrent {
    /** Per op: DLN's name, gates, and for each PyTorch gate the ONNX gate it comes from. */
    private record Kind(String dln, int gates, int[] fromOnnx, List<String> activations) {}

    private static final Kind LSTM = new Kind("lstm", 4, new int[] {0, 2, 3, 1}, List.of("Sigmoid", "Tanh", "Tanh"));
    private static final Kind GRU = new Kind("gru", 3, new int[] {1, 0, 2}, List.of("Sigmoid", "Tanh"));
    private static final Kind RNN = new Kind("rnn", 1, new int[] {0}, List.of("Tanh"));

    private final NodeProto node;
    private final List<ImportValue> in;
    private final ImportOps ops;

    ImportRecurrent(OnnxImporter graph, NodeProto node, List<ImportValue> in, ImportOps ops) {
        this.node = node;
        this.in = in;
        this.ops = ops;
    }

    List<ImportValue> map() {
        Kind kind = switch (node.getOpType()) {
            case "LSTM" -> LSTM;
            case "GRU" -> GRU;
            default -> RNN;
        };
        onlyAttributes(node, Set.of("hidden_size", "direction", "activations", "layout", "linear_before_reset"));
        long hidden = integer(node, "hidden_size", 0);
        if (hidden < 1 || hidden > Integer.MAX_VALUE / 8) throw new Unmappable("attribute `hidden_size` = " + hidden + " is out of range");
        String direction = text(node, "direction", "forward");
        if (!direction.equals("forward") && !direction.equals("bidirectional")) {
            throw new Unmappable("attribute `direction` = " + ImportNames.quote(direction) + ": DLN's recurrent layers run forward or both ways");
        }
        int dirs = direction.equals("forward") ? 1 : 2;
        if (kind == GRU && integer(node, "linear_before_reset", 0) != 1) {
            throw new Unmappable("attribute `linear_before_reset` = 0: DLN's gru is PyTorch's, which applies the reset gate after the linear map (1)");
        }
        List<String> args = new ArrayList<>(List.of(Long.toString(hidden)));
        String activation = activation(kind, dirs);
        if (activation != null) args.add("activation: " + activation);
        if (dirs == 2) args.add("bidirectional: true");
        Act x = sequenceInput();
        for (int i = 4; i < in.size(); i++) {
            if (i == 4 && in.get(i) != null) throw new Unmappable("input `sequence_lens` is not supported: DLN's sequences have one length");
            if (i == 7 && in.get(i) != null) throw new Unmappable("input `P` (peepholes) is not supported");
            if (i != 4 && i != 7 && !zeros(in.get(i))) throw new Unmappable("input " + i + " (an initial state) is not zeros: DLN's recurrent layers start at zero");
        }
        long g = kind.gates * hidden;
        long f = x.dln()[1];
        Const w = ops.constant(1), r = ops.constant(2), b = ops.optionalConstant(3);
        check(w, dirs, g, f, "W");
        check(r, dirs, g, hidden, "R");
        if (b != null) check(b, dirs, 2 * g, 1, "B");
        ImportLayer layer = ops.layer(kind.dln, args, x.id());
        for (int d = 0; d < dirs; d++) {
            String suffix = d == 0 ? "" : "_reverse";
            layer.params.put("weight_ih" + suffix, new Tensor(new long[] {g, f}, gates(kind, w.asFloats(), d * g * f, hidden * f)));
            layer.params.put("weight_hh" + suffix, new Tensor(new long[] {g, hidden}, gates(kind, r.asFloats(), d * g * hidden, hidden * hidden)));
            float[] bias = b == null ? new float[(int) (2 * g * dirs)] : b.asFloats();
            layer.params.put("bias_ih" + suffix, new Tensor(new long[] {g}, gates(kind, bias, d * 2 * g, hidden)));
            layer.params.put("bias_hh" + suffix, new Tensor(new long[] {g}, gates(kind, bias, d * 2 * g + g, hidden)));
        }
        ops.emit(layer, new long[] {dirs * hidden});
        long steps = x.dln()[0];
        List<ImportValue> out = new ArrayList<>();
        for (int o = 0; o < (kind == LSTM ? 3 : 2); o++) out.add(new Rec(layer, o, dirs, hidden, steps));
        return out;
    }

    /** DLN's `activation:` for an RNN other than tanh; refuses any other activations than PyTorch's. */
    private String activation(Kind kind, int dirs) {
        List<String> acts = ImportTensors.texts(node, "activations");
        if (acts.isEmpty()) return null;
        if (kind == RNN && acts.size() == dirs && acts.stream().allMatch(a -> a.equals(acts.get(0)))
                && List.of("Tanh", "Relu", "Sigmoid").contains(acts.get(0))) {
            return acts.get(0).equals("Tanh") ? null : acts.get(0).toLowerCase(java.util.Locale.ROOT);
        }
        List<String> standard = new ArrayList<>();
        for (int d = 0; d < dirs; d++) standard.addAll(kind.activations);
        if (!acts.equals(standard)) throw new Unmappable("attribute `activations` is not PyTorch's " + kind.activations);
        return null;
    }

    /** The sequence read: time-major (layout 0, after PyTorch's Transpose) or batch-first (layout 1). */
    private Act sequenceInput() {
        ImportValue v = in.get(0);
        boolean batchFirst = integer(node, "layout", 0) == 1;
        if (!batchFirst && v instanceof TimeMajor t) return t.sequence();
        if (v instanceof ImportValue.RecSteps s && s.timeFirst() != batchFirst) return sequence(s.y());
        if (batchFirst && v instanceof Act a && a.plain() && a.dln().length == 2) return a;
        throw new Unmappable("input 0 is " + ImportOps.describe(v) + ", not a sequence [T, N, F] (layout 0) or [N, T, F] (layout 1) of the model");
    }

    private static boolean zeros(ImportValue v) {
        if (v == null || v instanceof Zeros) return true;
        if (v instanceof Const c) {
            for (float x : c.asFloats()) if (x != 0) return false;
            return true;
        }
        return false;
    }

    private static void check(Const c, int dirs, long rows, long cols, String name) {
        long[] want = cols == 1 ? new long[] {dirs, rows} : new long[] {dirs, rows, cols};
        if (!java.util.Arrays.equals(c.dims(), want)) throw new Unmappable("input `" + name + "` has shape " + shape(c.dims()) + ", not " + shape(want));
    }

    /** The gate blocks ({@code block} values each) starting at {@code from}, in PyTorch's order. */
    private static float[] gates(Kind kind, float[] onnx, long from, long block) {
        float[] out = new float[(int) (kind.gates * block)];
        for (int gate = 0; gate < kind.gates; gate++) {
            System.arraycopy(onnx, (int) (from + kind.fromOnnx[gate] * block), out, (int) (gate * block), (int) block);
        }
        return out;
    }

    /** The layer's every step, [T, D·H]: the model reads Y. */
    static Act sequence(Rec r) {
        return use(r, true, new long[] {r.steps(), r.dirs() * r.hidden()});
    }

    /** The layer's final state, [D·H] (both directions' for a bidirectional layer): the model reads Y_h. */
    static Act last(Rec r) {
        return use(r, false, new long[] {r.dirs() * r.hidden()});
    }

    private static Act use(Rec r, boolean sequences, long[] shape) {
        if (r.layer().sequences != null && r.layer().sequences != sequences) {
            throw new Unmappable("the model reads both every step and the final state of this recurrent layer; DLN's layer gives one of them");
        }
        r.layer().sequences = sequences;
        return new Act(r.layer().valueId, shape, shape, false);
    }
}
