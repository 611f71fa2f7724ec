package dln.onnx;

import dln.onnx.ImportValue.Act;
import dln.onnx.ImportValue.Const;
import dln.onnx.ImportValue.Failed;
import dln.onnx.ImportValue.Zeros;
import dln.onnx.proto.OnnxProto.GraphProto;
import dln.onnx.proto.OnnxProto.ModelProto;
import dln.onnx.proto.OnnxProto.NodeProto;
import dln.onnx.proto.OnnxProto.OperatorSetIdProto;
import dln.onnx.proto.OnnxProto.TensorProto;
import dln.onnx.proto.OnnxProto.TensorShapeProto;
import dln.onnx.proto.OnnxProto.ValueInfoProto;
import dln.runtime.io.Safetensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an ONNX model into a DLN model: takes a parsed {@link ModelProto}, gives the text of a
 * .dln file and its weights named as DLN names them ({@code <layer>.<param>}). The graph is read
 * node by node in its (topological) order; each node becomes a DLN layer, nothing (dropout,
 * identity) or one of the intermediate forms of {@link ImportValue}; {@link ImportOps}, with
 * {@link ImportWindows} and {@link ImportRecurrent}, knows the operators. A node without a DLN form poisons only its outputs, so the error lists every node
 * that the outputs really need and that cannot be mapped, each with its name and operator.
 */
public final class OnnxImporter {
    /** The model cannot be imported; the message lists each node and operator (or attribute) that has no DLN form. */
    public static final class NotImportable extends IllegalArgumentException {
        NotImportable(String message) { super(message); }
    }

    /** The .dln text and its weights. */
    public record Imported(String dln, Map<String, Safetensors.Tensor> weights) {}

    /** Causes listed at most, so that a huge hostile graph gives a readable message. */
    private static final int MAX_CAUSES = 20;
    /** Values per example at most in one tensor, as DLN's own limit (DLN048). */
    static final long MAX_VALUES = Integer.MAX_VALUE;

    final List<ImportWriter.Input> inputs = new ArrayList<>();
    final List<ImportLayer> layers = new ArrayList<>();
    final Map<String, ImportValue> values = new HashMap<>();
    /** The nodes that read each value; a graph output counts as a reader of null. */
    final Map<String, List<NodeProto>> readers = new HashMap<>();
    /** The output of an Add folded into the dense layer before it, to the dense layer's output. */
    final Map<String, String> fused = new HashMap<>();
    final ImportNames valueNames = new ImportNames();
    final int opset;

    private OnnxImporter(int opset) {
        this.opset = opset;
    }

    /**
     * The DLN model {@code modelName} for {@code model}; {@code header} lines start the file as
     * comments (the caller says where the model came from, already safe to print).
     */
    public static Imported importModel(ModelProto model, String modelName, List<String> header) {
        int opset = -1;
        for (OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) opset = (int) Math.min(Integer.MAX_VALUE, o.getVersion());
        }
        if (opset < 0) throw new NotImportable("the model declares no version of the default ONNX operator set");
        if (!model.hasGraph()) throw new NotImportable("the model has no graph");
        return new OnnxImporter(opset).run(model.getGraph(), modelName, header);
    }

    /** Text from an ONNX file (a name, a producer) in backquotes, safe to print or to write in a comment: control and non-ASCII characters escaped, the length bounded. */
    public static String quote(String raw) {
        return ImportNames.quote(raw);
    }

    private Imported run(GraphProto graph, String modelName, List<String> header) {
        for (TensorProto t : graph.getInitializerList()) values.put(t.getName(), readInitializer(t));
        for (ValueInfoProto in : graph.getInputList()) if (!values.containsKey(in.getName())) input(in);
        for (NodeProto node : graph.getNodeList()) for (String in : node.getInputList()) readers.computeIfAbsent(in, k -> new ArrayList<>()).add(node);
        for (ValueInfoProto out : graph.getOutputList()) readers.computeIfAbsent(out.getName(), k -> new ArrayList<>()).add(null);
        for (NodeProto node : graph.getNodeList()) node(node);
        List<ImportWriter.Output> outputs = new ArrayList<>();
        Set<String> causes = new LinkedHashSet<>();
        for (ValueInfoProto out : graph.getOutputList()) {
            ImportValue v = values.get(out.getName());
            if (v instanceof ImportValue.RecSteps s && !s.timeFirst()) v = ImportRecurrent.sequence(s.y());
            if (v instanceof Failed f) causes.addAll(f.causes());
            else if (v instanceof Act a && a.plain()) outputs.add(new ImportWriter.Output(valueNames.unique(out.getName(), "y"), a.id()));
            else if (v instanceof Act a) causes.add("output " + ImportNames.quote(out.getName()) + " has ONNX shape " + ImportTensors.shape(a.shape())
                    + " where DLN's layers give " + ImportTensors.shape(a.dln()) + ": flatten it in the model before exporting");
            else causes.add("output " + ImportNames.quote(out.getName()) + " is " + (v == null ? "never computed" : "not a tensor DLN computes"));
        }
        if (!causes.isEmpty()) throw new NotImportable(list(causes));
        if (outputs.isEmpty()) throw new NotImportable("the graph has no outputs");
        nameLayers();
        ImportWriter writer = new ImportWriter(inputs, layers, outputs, valueNames);
        String text = writer.write(modelName, header);
        Map<String, Safetensors.Tensor> weights = new LinkedHashMap<>();
        for (int l = 0; l < layers.size(); l++) {
            if (!writer.written(l)) continue;
            ImportLayer layer = layers.get(l);
            layer.params.forEach((p, t) -> weights.put(layer.name + "." + p, t));
        }
        return new Imported(text, weights);
    }

    private static String list(Set<String> causes) {
        List<String> lines = new ArrayList<>();
        for (String c : causes) {
            if (lines.size() == MAX_CAUSES) {
                lines.add("... and " + (causes.size() - MAX_CAUSES) + " more");
                break;
            }
            lines.add("  " + c);
        }
        return "the model has parts DLN cannot express:\n" + String.join("\n", lines);
    }

    private static ImportValue readInitializer(TensorProto t) {
        try {
            return ImportTensors.read(t);
        } catch (Unmappable e) {
            return new Failed(List.of("initializer " + ImportNames.quote(t.getName()) + ": " + e.getMessage()));
        }
    }

    private void input(ValueInfoProto in) {
        String where = "input " + ImportNames.quote(in.getName());
        if (!in.getType().hasTensorType()) throw new NotImportable(where + " is not a tensor");
        var type = in.getType().getTensorType();
        boolean ids = type.getElemType() == TensorProto.DataType.INT64_VALUE || type.getElemType() == TensorProto.DataType.INT32_VALUE;
        if (!ids && type.getElemType() != TensorProto.DataType.FLOAT_VALUE) {
            throw new NotImportable(where + " is of ONNX type " + type.getElemType() + "; DLN inputs are float32 or integer ids");
        }
        List<TensorShapeProto.Dimension> dims = type.getShape().getDimList();
        if (dims.size() < 2) throw new NotImportable(where + " has " + dims.size() + " axes: DLN needs a batch axis first, then the example's");
        long[] shape = new long[dims.size() - 1];
        long size = 1;
        for (int i = 1; i < dims.size(); i++) {
            TensorShapeProto.Dimension d = dims.get(i);
            if (!d.hasDimValue() || d.getDimValue() < 1) {
                throw new NotImportable(where + " has no fixed size on axis " + i + (d.hasDimParam() ? " (" + ImportNames.quote(d.getDimParam()) + ")" : "")
                        + ": a DLN model has fixed sizes per example; export with a fixed size there");
            }
            shape[i - 1] = d.getDimValue();
            size = Math.multiplyHigh(size, shape[i - 1]) != 0 ? Long.MAX_VALUE : size * shape[i - 1];
            if (size > MAX_VALUES) throw new NotImportable(where + " has over 2^31 - 1 values per example");
        }
        String name = valueNames.unique(in.getName(), "x");
        values.put(in.getName(), new Act(inputs.size(), shape, shape, ids));
        inputs.add(new ImportWriter.Input(name, shape, ids));
    }

    private void node(NodeProto node) {
        if (node.getOutputCount() == 0) return;
        if (fused.containsKey(node.getOutput(0))) {
            values.put(node.getOutput(0), values.get(fused.get(node.getOutput(0))));
            return;
        }
        List<ImportValue> in = new ArrayList<>();
        Set<String> failed = new LinkedHashSet<>();
        for (String name : node.getInputList()) {
            ImportValue v = name.isEmpty() ? null : values.get(name);
            if (!name.isEmpty() && v == null) {
                throw new NotImportable(where(node) + " reads " + ImportNames.quote(name) + ", which no earlier node, input or initializer gives");
            }
            if (v instanceof Failed f && !node.getOpType().equals("ConstantOfShape")) failed.addAll(f.causes());
            in.add(v);
        }
        List<ImportValue> out;
        if (!failed.isEmpty()) {
            out = List.of(new Failed(List.copyOf(failed)));
        } else {
            try {
                out = new ImportOps(this, node, in).map();
            } catch (Unmappable e) {
                out = List.of(new Failed(List.of(where(node) + ": " + e.getMessage())));
            }
        }
        for (int i = 0; i < node.getOutputCount(); i++) {
            ImportValue v = i < out.size() ? out.get(i) : out.size() == 1 && out.get(0) instanceof Failed f ? f
                    : new Failed(List.of(where(node) + ": output " + i + " is not supported"));
            values.put(node.getOutput(i), v);
        }
    }

    static String where(NodeProto node) {
        return "node " + ImportNames.quote(node.getName().isEmpty() ? node.getOutput(0) : node.getName()) + " (" + ImportNames.quote(node.getOpType()).replace("`", "") + ")";
    }

    /** Adds a layer reading {@code in}; returns its value id. */
    int add(ImportLayer layer) {
        layers.add(layer);
        layer.valueId = inputs.size() + layers.size() - 1;
        return layer.valueId;
    }

    /** The layer that computes value {@code id}, or null for a model input. */
    ImportLayer producer(int id) {
        return id < inputs.size() ? null : layers.get(id - inputs.size());
    }

    /** The one node that reads value {@code name}, or null when there are more, none, or it is a graph output. */
    NodeProto soleReader(String name) {
        List<NodeProto> r = readers.getOrDefault(name, List.of());
        return r.size() == 1 ? r.get(0) : null;
    }

    /** Folds {@code add}'s output into {@code into}, the value of the dense layer it adds a bias to. */
    void fuse(NodeProto add, String into) {
        if (add.getOutputCount() == 1) fused.put(add.getOutput(0), into);
    }

    /** Every layer with parameters gets an explicit name, from its node's name (PyTorch's module path), so the weights file can name it. */
    private void nameLayers() {
        ImportNames layerNames = new ImportNames();
        for (ImportLayer layer : layers) {
            if (!layer.params.isEmpty()) layer.name = layerNames.unique(layer.origin, layer.op);
        }
    }
}
