package dln.cli;

import dln.onnx.OnnxExporter;
import dln.onnx.proto.OnnxProto.GraphProto;
import dln.onnx.proto.OnnxProto.ModelProto;
import dln.onnx.proto.OnnxProto.NodeProto;
import dln.onnx.proto.OnnxProto.TensorShapeProto;
import dln.onnx.proto.OnnxProto.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ONNX checker's rules that every exported model must hold, checked in Java so that the build
 * needs no Python: the default opset imported at the version asked for, the IR version of that
 * opset's release, node names unique, every value defined once (inputs, initializers, node outputs)
 * and before it is read, and every value a node makes declared with its full shape (a value_info,
 * or the graph output's entry), the batch dimension the symbolic `N`.
 */
final class OnnxRules {
    private OnnxRules() {}

    /** The rules {@code model} breaks, one line each; empty when it holds them all. */
    static List<String> broken(ModelProto model, int opset) {
        List<String> out = new ArrayList<>();
        if (model.getOpsetImportCount() != 1 || !model.getOpsetImport(0).getDomain().isEmpty() || model.getOpsetImport(0).getVersion() != opset) {
            out.add("opset_import should be the default domain at " + opset + ": " + model.getOpsetImportList());
        }
        if (model.getIrVersion() != OnnxExporter.irVersion(opset)) out.add("ir_version " + model.getIrVersion() + " for opset " + opset);
        GraphProto g = model.getGraph();
        Set<String> defined = new HashSet<>(), nodes = new HashSet<>(), declared = new HashSet<>();
        for (ValueInfoProto v : g.getInputList()) define(defined, v.getName(), out);
        for (var t : g.getInitializerList()) define(defined, t.getName(), out);
        for (ValueInfoProto v : g.getValueInfoList()) {
            if (!declared.add(v.getName())) out.add("two value_info for `" + v.getName() + "`");
            shaped(v, out);
        }
        for (ValueInfoProto v : g.getOutputList()) {
            declared.add(v.getName());
            shaped(v, out);
        }
        for (ValueInfoProto v : g.getInputList()) shaped(v, out);
        for (NodeProto n : g.getNodeList()) {
            if (n.getName().isEmpty() || !nodes.add(n.getName())) out.add("node name `" + n.getName() + "` empty or not unique");
            for (String in : n.getInputList()) if (!in.isEmpty() && !defined.contains(in)) out.add("node `" + n.getName() + "` reads `" + in + "` before it is defined");
            for (String o : n.getOutputList()) {
                if (o.isEmpty()) continue;
                define(defined, o, out);
                if (!declared.contains(o)) out.add("value `" + o + "` of node `" + n.getName() + "` has no value_info");
            }
        }
        for (ValueInfoProto v : g.getOutputList()) if (!defined.contains(v.getName())) out.add("output `" + v.getName() + "` is never written");
        return out;
    }

    private static void define(Set<String> defined, String name, List<String> out) {
        if (!defined.add(name)) out.add("value `" + name + "` defined twice");
    }

    private static void shaped(ValueInfoProto v, List<String> out) {
        var type = v.getType().getTensorType();
        if (!v.getType().hasTensorType() || type.getElemType() == 0 || !type.hasShape()) {
            out.add("value `" + v.getName() + "` has no element type or shape");
            return;
        }
        for (TensorShapeProto.Dimension d : type.getShape().getDimList()) {
            boolean ok = d.hasDimValue() ? d.getDimValue() > 0 : d.getDimParam().equals("N");
            if (!ok) out.add("value `" + v.getName() + "` has a dimension neither known nor N: " + d);
        }
    }
}
