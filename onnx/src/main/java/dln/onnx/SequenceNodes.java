package dln.onnx;

import static dln.onnx.Graph.N;
import static dln.onnx.Graph.attr;
import static dln.onnx.Graph.ints;

import dln.kernel.RecurrentCell;
import dln.onnx.proto.OnnxProto.AttributeProto;
import dln.op.Activation;
import dln.op.Attention;
import dln.op.Recurrent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The layers over a sequence [T, F] that need more than one ONNX op: recurrent layers as ONNX's
 * RNN, LSTM and GRU (which run time-major, [T, N, F], with their own gate order), and attention
 * decomposed into MatMul, Softmax, Reshape and Transpose as nn.MultiheadAttention computes it.
 */
final class SequenceNodes {
    private SequenceNodes() {}

    /**
     * ONNX's recurrent op on the time-major input. The weights stay initializers under their DLN
     * names (PyTorch's layout); a Gather puts their gate rows in ONNX's order (LSTM i, f, g, o ->
     * i, o, f, c; GRU r, z, n -> z, r, h, with linear_before_reset as PyTorch computes n) and a
     * Reshape stacks the directions. DLN's result is every step's state or the last one (for the
     * reverse direction, its state after step 0, which is ONNX's Y_h), the directions side by side.
     */
    static void recurrent(LayerNodes at, Recurrent r) {
        long t = at.inShape().dim(0), f = at.inShape().dim(1), h = r.units(), rows = r.cell().gates() * h;
        List<String> suffixes = r.bidirectional() ? List.of("", "_reverse") : List.of("");
        long d = suffixes.size();
        String x = at.node("Transpose", "time_major", at.in(), new long[] {t, N, f}, ints("perm", 1, 0, 2));
        List<String> wi = new ArrayList<>(), wh = new ArrayList<>(), b = new ArrayList<>();
        for (String s : suffixes) {
            wi.add(at.param("weight_ih" + s));
            wh.add(at.param("weight_hh" + s));
            b.add(at.param("bias_ih" + s));
            b.add(at.param("bias_hh" + s));
        }
        String w = onnxGateOrder(at, "W", wi, r.cell(), h, new long[] {d, rows, f});
        String rec = onnxGateOrder(at, "R", wh, r.cell(), h, new long[] {d, rows, h});
        String bias = onnxGateOrder(at, "B", b, r.cell(), h, new long[] {d, 2 * rows});
        List<AttributeProto> attrs = new ArrayList<>(List.of(attr("hidden_size", h), Graph.attr("direction", d == 2 ? "bidirectional" : "forward")));
        if (r.cell() == RecurrentCell.GRU) attrs.add(attr("linear_before_reset", 1));
        if (r.cell() == RecurrentCell.RNN) attrs.addAll(rnnActivation(r.activation() == null ? Activation.Fn.TANH : r.activation(), (int) d));
        String op = switch (r.cell()) { case RNN -> "RNN"; case LSTM -> "LSTM"; case GRU -> "GRU"; };
        List<String> in = List.of(x, w, rec, bias);
        AttributeProto[] attributes = attrs.toArray(AttributeProto[]::new);
        if (r.sequences()) {
            String all = at.node(op, "steps", in, new long[] {t, d, N, h}, attributes);
            String batchMajor = at.node("Transpose", "batch_major", List.of(all), new long[] {N, t, d, h}, ints("perm", 2, 0, 1, 3));
            at.last("Reshape", List.of(batchMajor, at.ints("shape", 0, t, d * h)));
        } else {
            String last = at.part("last");
            at.graph().node(op, last, List.of("", last), List.of(Graph.FLOAT, Graph.FLOAT), List.of(new long[0], new long[] {d, N, h}), in, attributes);
            String batchMajor = at.node("Transpose", "batch_major", List.of(last), new long[] {N, d, h}, ints("perm", 1, 0, 2));
            at.last("Reshape", List.of(batchMajor, at.ints("shape", 0, d * h)));
        }
    }

    /**
     * The {@code tensors} (each [G·H, ...] in PyTorch's gate order, one per direction, or for the
     * biases input then hidden per direction) joined, their gate rows gathered into ONNX's order,
     * and reshaped to {@code dims}.
     */
    private static String onnxGateOrder(LayerNodes at, String part, List<String> tensors, RecurrentCell cell, long h, long[] dims) {
        int[] order = switch (cell) {
            case RNN -> new int[] {0};
            case LSTM -> new int[] {0, 3, 1, 2}; // i, f, g, o -> i, o, f, c
            case GRU -> new int[] {1, 0, 2};     // r, z, n -> z, r, h
        };
        long rows = order.length * h, blocks = tensors.size();
        long[] joinedDims = dims.length == 3 ? new long[] {blocks * rows, dims[2]} : new long[] {blocks * rows};
        String joined = blocks == 1 ? tensors.get(0) : at.node("Concat", part + "_joined", tensors, joinedDims, attr("axis", 0));
        long[] perm = new long[(int) (blocks * rows)];
        for (int b = 0, i = 0; b < blocks; b++) {
            for (int gate : order) for (long j = 0; j < h; j++) perm[i++] = b * rows + gate * h + j;
        }
        String gathered = at.node("Gather", part + "_gates", List.of(joined, at.ints(part + "_rows", perm)), joinedDims, attr("axis", 0));
        return at.node("Reshape", part, List.of(gathered, at.ints(part + "_shape", dims)), dims);
    }

    /** A simple recurrent layer's activation, the same for each direction (the linear one is Affine with slope 1). */
    private static List<AttributeProto> rnnActivation(Activation.Fn fn, int directions) {
        String name = switch (fn) {
            case TANH -> "Tanh";
            case RELU -> "Relu";
            case SIGMOID -> "Sigmoid";
            case LINEAR -> "Affine";
            default -> throw new IllegalArgumentException("rnn has no activation " + fn);
        };
        List<AttributeProto> out = new ArrayList<>(List.of(Graph.strings("activations", Collections.nCopies(directions, name))));
        if (fn == Activation.Fn.LINEAR) {
            out.add(Graph.floatList("activation_alpha", Collections.nCopies(directions, 1f)));
            out.add(Graph.floatList("activation_beta", Collections.nCopies(directions, 0f)));
        }
        return out;
    }

    /**
     * nn.MultiheadAttention(x, x, x) on [N, T, D]: q, k, v from one projection, split into heads
     * [N, heads, T, D/heads], softmax(q·kᵀ/√(D/heads)) (plus a constant mask of −∞ above the
     * diagonal when causal) times v, the heads joined again and projected.
     */
    static void attention(LayerNodes at, Attention a) {
        long t = at.inShape().dim(0), d = at.inShape().dim(1), heads = a.heads(), dh = d / heads;
        String qkv = at.linear("qkv", at.x(), at.param("in_proj_weight"), at.param("in_proj_bias"), new long[] {N, t, 3 * d}, new long[] {3 * d, d});
        String split = at.reshape("split", qkv, new long[] {N, t, 3, heads, dh});
        String stacked = at.node("Transpose", "heads", List.of(split), new long[] {3, N, heads, t, dh}, ints("perm", 2, 0, 3, 1, 4));
        long[] perHead = {N, heads, t, dh};
        String q = at.node("Gather", "q", List.of(stacked, at.graph().intConstant(at.part("q_index"), new long[0], 0)), perHead, attr("axis", 0));
        String k = at.node("Gather", "k", List.of(stacked, at.graph().intConstant(at.part("k_index"), new long[0], 1)), perHead, attr("axis", 0));
        String v = at.node("Gather", "v", List.of(stacked, at.graph().intConstant(at.part("v_index"), new long[0], 2)), perHead, attr("axis", 0));
        String kt = at.node("Transpose", "k_t", List.of(k), new long[] {N, heads, dh, t}, ints("perm", 0, 1, 3, 2));
        long[] scoresDims = {N, heads, t, t};
        String scores = at.node("MatMul", "scores", List.of(q, kt), scoresDims);
        scores = at.node("Mul", "scaled", List.of(scores, at.floats("scale", new long[0], (float) (1 / Math.sqrt(dh)))), scoresDims);
        if (a.causal()) scores = at.node("Add", "masked", List.of(scores, at.floats("mask", new long[] {t, t}, causalMask((int) t))), scoresDims);
        String p = at.node("Softmax", "weights", List.of(scores), scoresDims, attr("axis", -1));
        String o = at.node("MatMul", "mix", List.of(p, v), perHead);
        String joined = at.node("Transpose", "steps", List.of(o), new long[] {N, t, heads, dh}, ints("perm", 0, 2, 1, 3));
        String merged = at.reshape("merged", joined, new long[] {N, t, d});
        at.linear("", merged, at.param("out_proj.weight"), at.param("out_proj.bias"), at.out(), new long[] {d, d});
    }

    /** [T, T]: 0 where step i may see step j (j ≤ i), −∞ above the diagonal, as PyTorch's causal attn_mask. */
    private static float[] causalMask(int t) {
        float[] mask = new float[t * t];
        for (int i = 0; i < t; i++) Arrays.fill(mask, i * t + i + 1, (i + 1) * t, Float.NEGATIVE_INFINITY);
        return mask;
    }
}
