package dln.net;

import dln.diag.Span;
import java.util.List;
import java.util.Map;

/**
 * A checked train block: every setting converted to Java values, defaults filled in. Paths are as
 * written (relative to the .dln file). Absent optional settings are null.
 */
public record Training(
        String model,
        Source data,
        Source test,
        Double validation,
        Split split,
        List<OutputLoss> losses,
        Optimizer optimizer,
        Call schedule,
        Call clip,
        double l1,
        double l2,
        Initializer init,
        long batch,
        long epochs,
        long seed,
        boolean shuffle,
        List<Call> augment,
        EarlyStop earlyStop,
        String checkpoint,
        List<String> metrics,
        String targets,
        Span span) {

    /** {@link #targets} of a train block that says `targets inputs`: each example's inputs are its targets (an autoencoder). */
    public static final String INPUTS = "inputs";

    /** Whether the targets are the examples' inputs rather than the source's targets or labels. */
    public boolean targetsAreInputs() { return INPUTS.equals(targets); }

    /** {@link #batch} for `batch all`: full-batch gradient descent. */
    public static final long ALL = 0;

    /** A function-like setting value with its arguments, defaults filled in: `adam(lr: 0.001, ...)`. */
    public record Call(String name, Map<String, Object> args) {
        public double real(String arg) { return ((Number) args.get(arg)).doubleValue(); }

        @Override public String toString() {
            StringBuilder out = new StringBuilder(name).append('(');
            String sep = "";
            for (var e : args.entrySet()) {
                if (e.getValue() == null) continue;
                out.append(sep).append(e.getKey()).append(": ").append(show(e.getValue()));
                sep = ", ";
            }
            return out.append(')').toString();
        }

        /** A number as people write it: 16, 0.5, 1e-4. */
        public static String format(double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
            return Double.toString(d).replace(".0E", "e").replace("E", "e");
        }

        private static String show(Object v) {
            if (v instanceof Double d) return format(d);
            if (v instanceof String s) return s.contains("/") || s.contains(".") ? "\"" + s + "\"" : s;
            return String.valueOf(v);
        }
    }

    /** Where examples come from: idx, csv, npy or inline, with its arguments as Double, String, Boolean or List values. */
    public record Source(String kind, Map<String, Object> args) {}

    /**
     * The loss of one output and its weight in the total Σ weight·loss (`loss y: cross_entropy, z: mse`,
     * `loss_weights z: 0.5`); {@code loss} is the loss's name.
     */
    public record OutputLoss(String output, String loss, double weight) {
        /** Whether this output's targets are class indices: cross-entropy reads one label per example. */
        public boolean labels() { return loss.equals("cross_entropy"); }
    }

    /**
     * The loss as written: `mse` for one output, `y: cross_entropy, z: mse` for several (with
     * `×weight` where the weight is not 1); null when the optimizer has its own rule (the perceptron).
     */
    public String loss() {
        if (losses.isEmpty()) return null;
        if (losses.size() == 1) return losses.get(0).loss();
        List<String> parts = losses.stream().map(l -> l.output() + ": " + l.loss()
                + (l.weight() == 1 ? "" : " ×" + Call.format(l.weight()))).toList();
        return String.join(", ", parts);
    }

    public record Split(double train, double validation, double test) {}

    public record EarlyStop(String monitor, long patience, double minDelta) {}
}
