package dln.onnx;

import dln.runtime.io.Safetensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One layer of the model being written: its DLN call, the values it reads and its parameters. */
final class ImportLayer {
    final String op;
    final List<String> args;
    final List<Integer> inputs;
    /** Parameter name (without the layer's) to tensor, as DLN names and lays them out. */
    final Map<String, Safetensors.Tensor> params = new LinkedHashMap<>();
    /** The explicit `name:`, given to every layer with parameters so that the weights file names them; null for the others. */
    String name;
    /** Where the layer came from (its node's name, PyTorch's module path), for its explicit name. */
    String origin = "";
    /** The DLN value the layer computes (set when the importer adds it). */
    int valueId = -1;
    /** Recurrent layers only: whether the model reads every step (true) or the last state (false); null until a reader decides. */
    Boolean sequences;

    ImportLayer(String op, List<String> args, List<Integer> inputs) {
        this.op = op;
        this.args = new ArrayList<>(args);
        this.inputs = List.copyOf(inputs);
    }

    /** The call as written in the .dln file: `dense(32, name: fc1)`, `relu`. */
    String call() {
        List<String> all = new ArrayList<>(args);
        if (Boolean.TRUE.equals(sequences)) all.add("sequences: true");
        if (name != null) all.add("name: " + name);
        return all.isEmpty() ? op : op + "(" + String.join(", ", all) + ")";
    }

    boolean activation() {
        return inputs.size() == 1 && params.isEmpty()
                && List.of("relu", "sigmoid", "tanh", "softmax", "gelu", "silu", "leaky_relu", "elu").contains(op);
    }
}
