package dln.onnx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the imported model as a .dln file: one `model` block whose statements are pipelines. A
 * value read once continues its pipeline (`-> layer`); a value read more often (a residual's
 * input) or by a layer with several inputs is bound to a name first. Only the layers the outputs
 * depend on are written; {@link #written} says which.
 */
final class ImportWriter {
    private static final String STEP = "\n        -> ";

    record Input(String name, long[] dims, boolean ids) {}

    record Output(String name, int value) {}

    private final List<Input> inputs;
    private final List<ImportLayer> layers;
    private final List<Output> outputs;
    private final ImportNames valueNames;
    private final String[] names;
    private final Map<Integer, String> pending = new HashMap<>();
    private final List<String> statements = new ArrayList<>();
    private final boolean[] written;
    private int bound;

    ImportWriter(List<Input> inputs, List<ImportLayer> layers, List<Output> outputs, ImportNames valueNames) {
        this.inputs = inputs;
        this.layers = layers;
        this.outputs = outputs;
        this.valueNames = valueNames;
        this.names = new String[inputs.size() + layers.size()];
        this.written = new boolean[layers.size()];
        for (int i = 0; i < inputs.size(); i++) names[i] = inputs.get(i).name();
    }

    /** The layers the outputs depend on, by index. */
    static boolean[] reachable(int inputCount, List<ImportLayer> layers, List<Output> outputs) {
        boolean[] seen = new boolean[layers.size()];
        Deque<Integer> todo = new ArrayDeque<>();
        for (Output o : outputs) todo.push(o.value());
        while (!todo.isEmpty()) {
            int layer = todo.pop() - inputCount;
            if (layer < 0 || seen[layer]) continue;
            seen[layer] = true;
            for (int v : layers.get(layer).inputs) todo.push(v);
        }
        return seen;
    }

    /** The file: {@code header} comment lines, then the model. */
    String write(String model, List<String> header) {
        boolean[] live = reachable(inputs.size(), layers, outputs);
        int[] uses = new int[names.length];
        for (int l = 0; l < layers.size(); l++) if (live[l]) for (int v : layers.get(l).inputs) uses[v]++;
        for (Output o : outputs) uses[o.value()] += 2;     // an output is always bound, never continued
        for (int l = 0; l < layers.size(); l++) {
            if (!live[l]) continue;
            written[l] = true;
            int v = inputs.size() + l;
            String expr = expression(layers.get(l));
            if (uses[v] == 1) pending.put(v, expr);
            else bind(v, expr);
        }
        for (Output o : outputs) {
            if (names[o.value()] != null && !names[o.value()].equals(o.name())) statements.add("output " + o.name() + " = " + names[o.value()]);
        }
        StringBuilder b = new StringBuilder();
        for (String line : header) b.append("// ").append(line).append('\n');
        b.append('\n').append("model ").append(model).append(" {\n");
        for (Input in : inputs) b.append("    input ").append(in.name()).append(": ").append(in.ids() ? "int" : "").append(dims(in.dims())).append('\n');
        b.append('\n');
        for (String s : statements) b.append("    ").append(s).append('\n');
        return b.append("}\n").toString();
    }

    boolean written(int layer) {
        return written[layer];
    }

    private String expression(ImportLayer layer) {
        List<Integer> in = layer.inputs;
        for (int i = 1; i < in.size(); i++) operand(in.get(i), true);
        boolean chained = names[in.get(0)] == null;
        String first = operand(in.get(0), false);
        List<String> rest = new ArrayList<>();
        for (int i = 1; i < in.size(); i++) rest.add(names[in.get(i)]);
        if (in.size() == 1) return first + (chained && layer.activation() ? " -> " : STEP) + layer.call();
        if (chained) return first + STEP + callWith(layer, rest);
        rest.add(0, first);
        return callWith(layer, rest);
    }

    /** {@code add(h, x)}: the layer's call with these operands first. */
    private static String callWith(ImportLayer layer, List<String> operands) {
        String call = layer.call();
        int paren = call.indexOf('(');
        String own = paren < 0 ? "" : ", " + call.substring(paren + 1, call.length() - 1);
        return (paren < 0 ? call : call.substring(0, paren)) + "(" + String.join(", ", operands) + own + ")";
    }

    /** The text of value {@code v}: its name, or its pending pipeline (bound to a name first when {@code bound}). */
    private String operand(int v, boolean bound) {
        if (names[v] != null) return names[v];
        String expr = pending.remove(v);
        if (!bound) return expr;
        bind(v, expr);
        return names[v];
    }

    private void bind(int v, String expr) {
        for (Output o : outputs) {
            if (o.value() == v && names[v] == null) {
                names[v] = o.name();
                statements.add("output " + o.name() + " = " + expr);
                return;
            }
        }
        names[v] = valueNames.unique("h" + ++bound, "h");
        statements.add(names[v] + " = " + expr);
    }

    static String dims(long[] dims) {
        List<String> parts = new ArrayList<>();
        for (long d : dims) parts.add(Long.toString(d));
        return "[" + String.join(", ", parts) + "]";
    }

    /** A size argument: one number when every axis has it, else a list. */
    static String sizes(long[] values) {
        for (long v : values) if (v != values[0]) return dims(values);
        return Long.toString(values[0]);
    }

    /** A real number as the language reads it (finite; the shortest float32 form). */
    static String number(float x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e7) return Long.toString((long) x);
        return Float.toString(x);
    }
}
