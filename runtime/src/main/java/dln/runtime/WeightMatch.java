package dln.runtime;

import dln.runtime.io.Safetensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the tensors of a weights file match a model's parameters: a row for each parameter (matched,
 * missing, of the wrong shape, or named by two tensors), then a row for each tensor left over
 * (unexpected, or ignored: integer tensors such as batch norm's step counter carry no weights). A
 * tensor matches under the parameter's own name or under PyTorch's ({@link PyTorchNames}). The rows
 * are `dlnc check -w`'s report and, the problems among them, the message of a load that fails.
 */
public final class WeightMatch {
    /** What became of a parameter or a tensor; every status but matched and ignored is a problem. */
    public enum Status {
        MATCHED("matched"), MISSING("missing"), WRONG_SHAPE("wrong shape"), AMBIGUOUS("ambiguous"),
        UNEXPECTED("unexpected"), IGNORED("ignored");

        public final String label;

        Status(String label) { this.label = label; }

        public boolean problem() { return this != MATCHED && this != IGNORED; }
    }

    /** A parameter the model has: its full name and shape. */
    public record Parameter(String name, long[] shape) {}

    /**
     * One row. {@code parameter} and {@code expected} are null for a tensor left over; {@code tensors}
     * is empty for a missing parameter and holds two or more for an ambiguous one; {@code found} and
     * {@code dtype} describe the first of them.
     */
    public record Row(Status status, String parameter, long[] expected, List<String> tensors, long[] found, String dtype, String note) {}

    private static final String F32 = "F32";
    private static final String[] HEADER = {"STATUS", "PARAMETER", "EXPECTED", "TENSOR", "FOUND", "NOTE"};

    private final List<Row> rows;

    private WeightMatch(List<Row> rows) { this.rows = List.copyOf(rows); }

    /**
     * Matches {@code tensors} (by name, as read from a file) against {@code parameters}; {@code dtypes}
     * gives each tensor's dtype as safetensors names it (a tensor it does not name is F32).
     */
    public static WeightMatch of(List<Parameter> parameters, Map<String, Safetensors.Tensor> tensors, Map<String, String> dtypes) {
        Map<String, List<String>> claims = new LinkedHashMap<>();
        for (Parameter p : parameters) claims.put(p.name(), new ArrayList<>());
        List<String> leftover = new ArrayList<>();
        for (String tensor : tensors.keySet()) {
            List<String> claim = claims.get(parameterOf(tensor, claims));
            if (claim != null) claim.add(tensor);
            else leftover.add(tensor);
        }
        List<Row> rows = new ArrayList<>();
        for (Parameter p : parameters) rows.add(parameterRow(p, claims.get(p.name()), tensors, dtypes));
        for (String tensor : leftover) rows.add(leftoverRow(tensor, tensors.get(tensor).shape(), dtypes.getOrDefault(tensor, F32)));
        return new WeightMatch(rows);
    }

    /** The parameter a tensor stands for: its own name, else PyTorch's name for one (layer 0 only); null for none. */
    private static String parameterOf(String tensor, Map<String, ?> parameters) {
        if (parameters.containsKey(tensor)) return tensor;
        PyTorchNames.Recurrent r = PyTorchNames.recurrent(tensor);
        return r != null && r.first() && parameters.containsKey(r.parameter()) ? r.parameter() : null;
    }

    private static Row parameterRow(Parameter p, List<String> named, Map<String, Safetensors.Tensor> tensors, Map<String, String> dtypes) {
        if (named.isEmpty()) return new Row(Status.MISSING, p.name(), p.shape(), List.of(), null, null, "");
        String first = named.get(0);
        long[] found = tensors.get(first).shape();
        String dtype = dtypes.getOrDefault(first, F32);
        if (named.size() > 1) {
            return new Row(Status.AMBIGUOUS, p.name(), p.shape(), List.copyOf(named), found, dtype,
                    "DLN's and PyTorch's names for one parameter: keep one");
        }
        Status status = Arrays.equals(found, p.shape()) ? Status.MATCHED : Status.WRONG_SHAPE;
        return new Row(status, p.name(), p.shape(), List.of(first), found, dtype, "");
    }

    private static Row leftoverRow(String tensor, long[] shape, String dtype) {
        PyTorchNames.Recurrent r = PyTorchNames.recurrent(tensor);
        if (r != null && !r.first()) {
            return new Row(Status.UNEXPECTED, null, null, List.of(tensor), shape, dtype, "layer " + r.layer()
                    + " of a stacked PyTorch rnn/lstm/gru: DLN's have one layer (stack two in the .dln)");
        }
        if (PyTorchNames.stepCounter(tensor)) return new Row(Status.IGNORED, null, null, List.of(tensor), shape, dtype, "batch norm's step counter");
        if (Safetensors.integer(dtype)) return new Row(Status.IGNORED, null, null, List.of(tensor), shape, dtype, "integers, not weights");
        return new Row(Status.UNEXPECTED, null, null, List.of(tensor), shape, dtype, "");
    }

    public List<Row> rows() { return rows; }

    /** Whether every parameter has its one tensor of its shape, and every other tensor is ignored. */
    public boolean ok() { return rows.stream().noneMatch(r -> r.status().problem()); }

    /** Each matched parameter's tensor, by the parameter's name, in the model's order. */
    public Map<String, String> matched() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Row r : rows) if (r.status() == Status.MATCHED) out.put(r.parameter(), r.tensors().get(0));
        return out;
    }

    /** The count of each status there is, in the order of {@link Status}: "20 matched, 1 missing, 1 ignored". */
    public String counts() {
        List<String> parts = new ArrayList<>();
        for (Status s : Status.values()) {
            long n = rows.stream().filter(r -> r.status() == s).count();
            if (n > 0) parts.add(n + " " + s.label);
        }
        return parts.isEmpty() ? "no parameters and no tensors" : String.join(", ", parts);
    }

    /**
     * The rows (only the problems with {@code problemsOnly}) as a table under a header, columns
     * aligned, each line indented by two spaces; {@code -} where a row has no value.
     */
    public String table(boolean problemsOnly) {
        List<String[]> cells = new ArrayList<>();
        cells.add(HEADER);
        for (Row r : rows) if (!problemsOnly || r.status().problem()) cells.add(cells(r));
        int[] widths = new int[HEADER.length];
        for (String[] row : cells) for (int i = 0; i < row.length; i++) widths[i] = Math.max(widths[i], row[i].length());
        StringBuilder out = new StringBuilder();
        for (String[] row : cells) {
            StringBuilder line = new StringBuilder(" ");
            for (int i = 0; i < row.length; i++) line.append(' ').append(row[i]).append(" ".repeat(widths[i] - row[i].length() + 1));
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private static String[] cells(Row r) {
        String found = r.found() == null ? "-" : Arrays.toString(r.found()) + (r.dtype().equals(F32) ? "" : " " + r.dtype());
        return new String[] {r.status().label, r.parameter() == null ? "-" : r.parameter(),
                r.expected() == null ? "-" : Arrays.toString(r.expected()),
                r.tensors().isEmpty() ? "-" : String.join(", ", r.tensors()), found, r.note()};
    }

    /**
     * Why weights from {@code source} cannot load into {@code model}: one line with the counts of the
     * problems, then the problems' table.
     */
    public String failure(String source, String model) {
        WeightMatch problems = new WeightMatch(rows.stream().filter(r -> r.status().problem()).toList());
        return source + ": these weights do not fit model " + model + " (" + problems.counts() + "), so none were loaded:\n"
                + table(true).stripTrailing();
    }
}
