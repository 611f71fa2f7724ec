package dln.onnx;

import static dln.onnx.ImportTensors.integer;
import static dln.onnx.ImportTensors.integers;
import static dln.onnx.ImportTensors.onlyAttributes;
import static dln.onnx.ImportTensors.real;
import static dln.onnx.ImportTensors.shape;
import static dln.onnx.ImportTensors.text;

import dln.onnx.ImportValue.Act;
import dln.onnx.ImportValue.Const;
import dln.onnx.ImportValue.Half;
import dln.onnx.ImportValue.Rec;
import dln.onnx.ImportValue.RecSteps;
import dln.onnx.ImportValue.RecSwapped;
import dln.onnx.ImportValue.TimeMajor;
import dln.onnx.ImportValue.Zeros;
import dln.onnx.proto.OnnxProto.NodeProto;
import dln.runtime.io.Safetensors.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Maps one ONNX node to DLN: a layer, nothing (the value passes through), or an intermediate form
 * ({@link ImportValue}); throws {@link Unmappable} saying which operator, attribute or input has
 * no DLN form. Shapes are per example (the batch axis dropped); ONNX axes count the batch.
 */
final class ImportOps {
    private final OnnxImporter graph;
    private final NodeProto node;
    private final List<ImportValue> in;

    ImportOps(OnnxImporter graph, NodeProto node, List<ImportValue> in) {
        this.graph = graph;
        this.node = node;
        this.in = in;
    }

    List<ImportValue> map() {
        return switch (node.getOpType()) {
            case "Gemm" -> List.of(gemm());
            case "MatMul" -> List.of(matmul());
            case "Conv" -> List.of(new ImportWindows(node, this).conv());
            case "MaxPool", "AveragePool" -> List.of(new ImportWindows(node, this).pool());
            case "GlobalAveragePool", "GlobalMaxPool" -> List.of(globalPool());
            case "Flatten" -> List.of(flatten());
            case "Reshape" -> List.of(reshape());
            case "Squeeze" -> List.of(squeeze());
            case "Transpose" -> List.of(transpose());
            case "BatchNormalization" -> List.of(batchnorm());
            case "LayerNormalization" -> List.of(layernorm());
            case "Relu", "Sigmoid", "Tanh", "Softmax", "LeakyRelu", "Elu", "Gelu" -> List.of(activation());
            case "Add", "Sum" -> List.of(add());
            case "Mul" -> List.of(silu());
            case "Concat" -> List.of(concat());
            case "Dropout", "Identity" -> passThrough();
            case "Pad" -> List.of(pad());
            case "Constant" -> List.of(ImportTensors.constant(node));
            case "ConstantOfShape" -> List.of(zeros());
            case "Gather" -> List.of(gather());
            case "LSTM", "GRU", "RNN" -> new ImportRecurrent(graph, node, in, this).map();
            case "Shape" -> throw new Unmappable("computes with the tensor's shape, which a DLN model fixes per example: "
                    + "export with torch.flatten(x, 1) rather than x.view(x.size(0), -1)");
            default -> throw new Unmappable("operator " + ImportNames.quote(node.getOpType()) + " has no DLN layer");
        };
    }

    // ---- inputs ----

    Act act(int i) {
        ImportValue v = i < in.size() ? in.get(i) : null;
        if (v instanceof Act a) return a;
        if (v instanceof RecSteps s && !s.timeFirst()) return ImportRecurrent.sequence(s.y());
        throw new Unmappable("input " + i + " is " + describe(v) + ", where a tensor computed by the model is expected");
    }

    /** Input {@code i}, a tensor whose ONNX and DLN layouts agree (not a global pool's [C, 1, 1] before its flatten). */
    Act plain(int i) {
        Act a = act(i);
        if (!a.plain()) throw new Unmappable("input " + i + " has shape " + shape(a.shape()) + " from a global pool; DLN's global pools give " + shape(a.dln()) + " (flatten it first)");
        if (a.ids()) throw new Unmappable("input " + i + " holds integer ids, which only an embedding (Gather) reads");
        return a;
    }

    Const constant(int i) {
        ImportValue v = i < in.size() ? in.get(i) : null;
        if (v instanceof Const c) return c;
        throw new Unmappable("input " + i + " is " + describe(v) + ", where a constant (an initializer) is expected");
    }

    Const optionalConstant(int i) {
        return i < in.size() && in.get(i) != null ? constant(i) : null;
    }

    static String describe(ImportValue v) {
        if (v == null) return "missing";
        if (v instanceof Act a) return "a tensor of shape " + shape(a.shape());
        if (v instanceof Const c) return "a constant of shape " + shape(c.dims());
        if (v instanceof Zeros) return "zeros of a computed shape";
        return "an intermediate value of a recurrent layer";
    }

    // ---- layers ----

    ImportLayer layer(String op, List<String> args, int... inputs) {
        ImportLayer l = new ImportLayer(op, args, Arrays.stream(inputs).boxed().toList());
        String name = node.getName();
        int slash = name.lastIndexOf('/');
        if (slash > 0 && name.substring(slash + 1).startsWith(node.getOpType())) name = name.substring(0, slash);
        l.origin = name;
        return l;
    }

    Act emit(ImportLayer layer, long[] shape) {
        return new Act(graph.add(layer), shape, shape, false);
    }

    private ImportValue gemm() {
        onlyAttributes(node, Set.of("alpha", "beta", "transA", "transB"));
        if (integer(node, "transA", 0) != 0) throw new Unmappable("attribute `transA` = 1 is not supported (DLN's dense reads [batch, in])");
        Act x = plain(0);
        Const b = constant(1);
        if (x.dln().length != 1 || b.dims().length != 2) throw new Unmappable("Gemm on " + shape(x.shape()) + " by " + shape(b.dims()) + " is not a dense layer");
        boolean transB = integer(node, "transB", 0) != 0;
        float[] w = scaled(transB ? b.asFloats() : transpose(b.asFloats(), b.dims()[0], b.dims()[1]), real(node, "alpha", 1));
        long units = transB ? b.dims()[0] : b.dims()[1];
        return dense(x, w, units, bias(optionalConstant(2), units, real(node, "beta", 1)), false);
    }

    /** MatMul by a constant, with the Add of a constant bias that follows it when it is the only reader: dense. */
    private ImportValue matmul() {
        onlyAttributes(node, Set.of());
        Act x = plain(0);
        Const b = constant(1);
        int rank = x.dln().length;
        if ((rank != 1 && rank != 2) || b.dims().length != 2 || b.dims()[0] != x.dln()[rank - 1]) {
            throw new Unmappable("MatMul of " + shape(x.shape()) + " by " + shape(b.dims()) + " is not a dense layer");
        }
        long units = b.dims()[1];
        float[] bias = null;
        NodeProto add = graph.soleReader(node.getOutput(0));
        if (add != null && add.getOpType().equals("Add") && add.getInputCount() == 2) {
            String other = add.getInput(0).equals(node.getOutput(0)) ? add.getInput(1) : add.getInput(0);
            if (graph.values.get(other) instanceof Const c && c.size() == units) {
                bias = c.asFloats();
                graph.fuse(add, node.getOutput(0));
            }
        }
        return dense(x, transpose(b.asFloats(), b.dims()[0], units), units, bias, rank == 2);
    }

    private Act dense(Act x, float[] weight, long units, float[] bias, boolean perStep) {
        List<String> args = new ArrayList<>(List.of(Long.toString(units)));
        if (bias == null) args.add("bias: false");
        if (perStep) args.add("per_step: true");
        ImportLayer l = layer("dense", args, x.id());
        long in = x.dln()[x.dln().length - 1];
        l.params.put("weight", new Tensor(new long[] {units, in}, weight));
        if (bias != null) l.params.put("bias", new Tensor(new long[] {units}, bias));
        return emit(l, perStep ? new long[] {x.dln()[0], units} : new long[] {units});
    }

    private static float[] bias(Const c, long units, float beta) {
        if (c == null) return null;
        if (c.size() != units) throw new Unmappable("the bias has shape " + shape(c.dims()) + ", not [" + units + "]");
        return scaled(c.asFloats(), beta);
    }

    private static float[] scaled(float[] x, float by) {
        if (by == 1) return x;
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i] * by;
        return y;
    }

    static float[] transpose(float[] x, long rows, long cols) {
        float[] y = new float[x.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) y[(int) (c * rows + r)] = x[(int) (r * cols + c)];
        return y;
    }

    private ImportValue globalPool() {
        onlyAttributes(node, Set.of());
        Act x = plain(0);
        if (x.dln().length < 2) throw new Unmappable("a global pool of " + shape(x.shape()) + " needs channels and at least one more axis");
        long[] onnx = new long[x.dln().length];
        Arrays.fill(onnx, 1);
        onnx[0] = x.dln()[0];
        Act y = emit(layer(node.getOpType().equals("GlobalMaxPool") ? "global_maxpool" : "global_avgpool", List.of(), x.id()), new long[] {x.dln()[0]});
        return y.as(onnx);
    }

    private ImportValue flatten() {
        onlyAttributes(node, Set.of("axis"));
        Act x = act(0);
        long axis = integer(node, "axis", 1);
        if (axis != 1 && axis != 1 - (x.shape().length + 1)) throw new Unmappable("attribute `axis` = " + axis + ": DLN flattens each example (axis 1)");
        return flat(x);
    }

    private Act flat(Act x) {
        if (x.dln().length == 1) return x.as(x.dln());
        long size = Arrays.stream(x.dln()).reduce(1, (a, b) -> a * b);
        return emit(layer("flatten", List.of(), x.id()), new long[] {size});
    }

    private ImportValue reshape() {
        onlyAttributes(node, Set.of("allowzero"));
        ImportValue v = in.get(0);
        long[] to = constant(1).asLongs();
        if (v instanceof RecSwapped s && Arrays.equals(to, new long[] {0, 0, -1})) return new RecSteps(s.y(), true);
        Act x = act(0);
        long size = Arrays.stream(x.dln()).reduce(1, (a, b) -> a * b);
        if (to.length == 2 && (to[1] == -1 || to[1] == size)) return flat(x);
        throw new Unmappable("a Reshape of " + shape(x.shape()) + " to " + shape(to) + " has no DLN layer (DLN reshapes only to flatten an example)");
    }

    private ImportValue squeeze() {
        onlyAttributes(node, Set.of("axes"));
        long[] axes = in.size() > 1 && in.get(1) != null ? constant(1).asLongs() : integers(node, "axes", null);
        if (axes == null) throw new Unmappable("a Squeeze without axes is not supported");
        ImportValue v = in.get(0);
        if (v instanceof Rec r && r.dirs() == 1 && Arrays.equals(axes, r.output() == 0 ? new long[] {1} : new long[] {0})) {
            return r.output() == 0 ? new RecSteps(r, true) : ImportRecurrent.last(r);
        }
        Act x = act(0);
        int rank = x.shape().length + 1;
        boolean pooledAxes = axes.length == rank - 2 && Arrays.stream(axes).allMatch(a -> a >= 2 || a < 0 && a + rank >= 2);
        if (!x.plain() && pooledAxes) return x.as(x.dln());
        throw new Unmappable("a Squeeze of " + describe(v) + " on axes " + shape(axes) + " has no DLN form");
    }

    private ImportValue transpose() {
        onlyAttributes(node, Set.of("perm"));
        long[] perm = integers(node, "perm", new long[0]);
        ImportValue v = in.get(0);
        if (v instanceof TimeMajor t && Arrays.equals(perm, new long[] {1, 0, 2})) return t.sequence();
        if (v instanceof RecSteps s && Arrays.equals(perm, new long[] {1, 0, 2})) return new RecSteps(s.y(), !s.timeFirst());
        if (v instanceof Act a && a.plain() && a.dln().length == 2 && Arrays.equals(perm, new long[] {1, 0, 2})) return new TimeMajor(a);
        if (v instanceof Rec r && r.output() == 0 && Arrays.equals(perm, new long[] {0, 2, 1, 3})) return new RecSwapped(r);
        throw new Unmappable("a Transpose of " + describe(v) + " by " + shape(perm) + " has no DLN form (DLN keeps the batch first and channels next)");
    }

    private ImportValue batchnorm() {
        onlyAttributes(node, Set.of("epsilon", "momentum", "training_mode", "spatial"));
        if (integer(node, "training_mode", 0) != 0) throw new Unmappable("attribute `training_mode` = 1: export the model in eval mode");
        Act x = plain(0);
        long c = x.dln()[0];
        String[] names = {"weight", "bias", "running_mean", "running_var"};
        ImportLayer l = layer("batchnorm", List.of(), x.id());
        for (int i = 0; i < 4; i++) {
            Const p = constant(i + 1);
            if (p.size() != c) throw new Unmappable("input " + (i + 1) + " has shape " + shape(p.dims()) + ", not [" + c + "] (one per channel)");
            l.params.put(names[i], new Tensor(new long[] {c}, p.asFloats()));
        }
        float eps = real(node, "epsilon", 1e-5f);
        float momentum = 1 - real(node, "momentum", 0.9f);
        if (!(eps > 0) || !Float.isFinite(eps)) throw new Unmappable("attribute `epsilon` must be positive");
        if (Math.abs(eps - 1e-5f) > 1e-9) l.args.add("eps: " + ImportWriter.number(eps));
        if (Math.abs(momentum - 0.1f) > 1e-6 && momentum >= 0 && momentum <= 1) l.args.add("momentum: " + ImportWriter.number(momentum));
        return emit(l, x.dln());
    }

    private ImportValue layernorm() {
        onlyAttributes(node, Set.of("axis", "epsilon", "stash_type"));
        Act x = plain(0);
        long axis = integer(node, "axis", -1);
        int rank = x.dln().length + 1;
        if (axis != -1 && axis != rank - 1) throw new Unmappable("attribute `axis` = " + axis + ": DLN's layernorm normalizes the last axis");
        long d = x.dln()[x.dln().length - 1];
        ImportLayer l = layer("layernorm", List.of(), x.id());
        Const scale = constant(1);
        Const b = optionalConstant(2);
        if (scale.size() != d || (b != null && b.size() != d)) throw new Unmappable("the scale or bias does not have " + d + " values");
        l.params.put("weight", new Tensor(new long[] {d}, scale.asFloats()));
        l.params.put("bias", new Tensor(new long[] {d}, b == null ? new float[(int) d] : b.asFloats()));
        float eps = real(node, "epsilon", 1e-5f);
        if (!(eps > 0) || !Float.isFinite(eps)) throw new Unmappable("attribute `epsilon` must be positive");
        if (Math.abs(eps - 1e-5f) > 1e-9) l.args.add("eps: " + ImportWriter.number(eps));
        return emit(l, x.dln());
    }

    private ImportValue activation() {
        String op = node.getOpType();
        onlyAttributes(node, switch (op) {
            case "Softmax" -> Set.of("axis");
            case "LeakyRelu", "Elu" -> Set.of("alpha");
            case "Gelu" -> Set.of("approximate");
            default -> Set.<String>of();
        });
        Act x = act(0);
        if (x.ids()) throw new Unmappable("input 0 holds integer ids");
        List<String> args = new ArrayList<>();
        String dln = switch (op) {
            case "Relu" -> "relu";
            case "Sigmoid" -> "sigmoid";
            case "Tanh" -> "tanh";
            case "Softmax" -> {
                long axis = integer(node, "axis", graph.opset >= 13 ? -1 : 1);
                int rank = x.shape().length + 1;
                if (!x.plain() || (axis != -1 && axis != rank - 1)) {
                    throw new Unmappable("attribute `axis` = " + axis + " on " + shape(x.shape()) + ": DLN's softmax is over the last axis");
                }
                yield "softmax";
            }
            case "LeakyRelu" -> {
                args.add(ImportWriter.number(finite(real(node, "alpha", 0.01f), 0)));
                yield "leaky_relu";
            }
            case "Elu" -> {
                args.add("alpha: " + ImportWriter.number(finite(real(node, "alpha", 1f), Float.MIN_VALUE)));
                yield "elu";
            }
            default -> {
                if (!text(node, "approximate", "none").equals("none")) throw new Unmappable("attribute `approximate` = `tanh`: DLN's gelu is the exact form");
                yield "gelu";
            }
        };
        Act y = emit(layer(dln, args, x.id()), x.dln());
        return y.as(x.shape());
    }

    private static float finite(float alpha, float min) {
        if (!Float.isFinite(alpha) || alpha < min) throw new Unmappable("attribute `alpha` = " + alpha + " is out of range");
        return alpha;
    }

    private ImportValue add() {
        onlyAttributes(node, Set.of());
        if (in.size() == 1) return act(0);
        int[] ids = new int[in.size()];
        Act first = plain(0);
        for (int i = 0; i < in.size(); i++) {
            Act a = plain(i);
            if (!Arrays.equals(a.dln(), first.dln())) {
                throw new Unmappable("adds " + shape(first.dln()) + " and " + shape(a.dln()) + ": DLN's add needs equal shapes (no broadcasting)");
            }
            ids[i] = a.id();
        }
        return emit(layer("add", List.of(), ids), first.dln());
    }

    /** x · sigmoid(x), as PyTorch and `dlnc export` write SiLU: silu (the sigmoid layer is then read by nothing, and not written). */
    private ImportValue silu() {
        onlyAttributes(node, Set.of());
        Act a = plain(0), b = plain(1);
        for (Act[] pair : new Act[][] {{a, b}, {b, a}}) {
            ImportLayer sigmoid = graph.producer(pair[1].id());
            if (sigmoid != null && sigmoid.op.equals("sigmoid") && sigmoid.inputs.get(0) == pair[0].id()) {
                return emit(layer("silu", List.of(), pair[0].id()), pair[0].dln());
            }
        }
        throw new Unmappable("a Mul other than x * sigmoid(x) (SiLU) has no DLN layer");
    }

    private ImportValue concat() {
        onlyAttributes(node, Set.of("axis"));
        long axis = integer(node, "axis", 1);
        if (in.size() == 2 && in.get(0) instanceof Half a && in.get(1) instanceof Half b && a.h() == b.h() && a.dir() == 0 && b.dir() == 1 && (axis == -1 || axis == 1)) {
            return ImportRecurrent.last(a.h());
        }
        Act first = plain(0);
        int rank = first.dln().length + 1;
        if (axis != 1 && axis != 1 - rank) throw new Unmappable("attribute `axis` = " + axis + ": DLN concatenates along the first axis of the example (ONNX axis 1)");
        int[] ids = new int[in.size()];
        long total = 0;
        for (int i = 0; i < in.size(); i++) {
            Act a = plain(i);
            if (a.dln().length != first.dln().length || !Arrays.equals(Arrays.copyOfRange(a.dln(), 1, a.dln().length), Arrays.copyOfRange(first.dln(), 1, first.dln().length))) {
                throw new Unmappable("concatenates " + shape(first.dln()) + " and " + shape(a.dln()) + ", which differ beyond the first axis");
            }
            ids[i] = a.id();
            total += a.dln()[0];
        }
        long[] shape = first.dln().clone();
        shape[0] = total;
        return emit(layer("concat", List.of(), ids), shape);
    }

    private List<ImportValue> passThrough() {
        onlyAttributes(node, Set.of("seed", "ratio"));
        ImportValue x = act(0);
        return List.of(x);
    }

    private ImportValue pad() {
        onlyAttributes(node, Set.of("mode"));
        Act x = act(0);
        Const pads = constant(1);
        if (Arrays.stream(pads.asLongs()).allMatch(p -> p == 0)) return x;
        throw new Unmappable("a Pad with non-zero pads has no DLN layer: pad in the convolution or pool instead");
    }

    private ImportValue zeros() {
        onlyAttributes(node, Set.of("value"));
        var a = ImportTensors.attribute(node, "value");
        if (a != null) {
            Const c = ImportTensors.read(a.getT());
            for (float f : c.asFloats()) if (f != 0) throw new Unmappable("a ConstantOfShape other than zeros is not supported");
        }
        return new Zeros();
    }

    private ImportValue gather() {
        onlyAttributes(node, Set.of("axis"));
        long axis = integer(node, "axis", 0);
        ImportValue data = in.get(0);
        if (data instanceof RecSteps s && !s.timeFirst() && s.y().dirs() == 1 && axis == 1 && in.get(1) instanceof Const c && c.dims().length == 0
                && (c.asLongs()[0] == -1 || c.asLongs()[0] == s.y().steps() - 1)) {
            return ImportRecurrent.last(s.y());     // out[:, -1] of a forward layer is its final state
        }
        if (data instanceof Rec r && r.output() == 1 && axis == 0 && in.get(1) instanceof Const c && c.dims().length == 0) {
            long i = c.asLongs()[0];
            if (i < 0) i += r.dirs();
            if (r.dirs() == 1 && i == 0) return ImportRecurrent.last(r);
            if (r.dirs() == 2 && (i == 0 || i == 1)) return new Half(r, (int) i);
        }
        if (data instanceof Const w && w.dims().length == 2 && axis == 0 && in.get(1) instanceof Act ids && ids.ids() && ids.id() < graph.inputs.size()) {
            ImportLayer l = layer("embedding", List.of(Long.toString(w.dims()[0]), "dim: " + w.dims()[1]), ids.id());
            l.params.put("weight", new Tensor(w.dims(), w.asFloats()));
            long[] shape = Arrays.copyOf(ids.dln(), ids.dln().length + 1);
            shape[shape.length - 1] = w.dims()[1];
            return emit(l, shape);
        }
        throw new Unmappable("a Gather from " + describe(data) + " has no DLN form (DLN reads Gather as an embedding of integer inputs or a recurrent layer's final state)");
    }
}
