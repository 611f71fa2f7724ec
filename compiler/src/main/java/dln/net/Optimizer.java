package dln.net;

import static dln.net.ArgSpec.optional;

import dln.kernel.Update;
import dln.net.ArgSpec.Kind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The `optimizer` setting of a train block: one record per optimizer with its arguments, defaults
 * filled in. Each is described in one place: its arguments (the checker's and the language
 * server's table, {@link #TABLE}), how it prints, and the update kernel it runs for a parameter.
 */
public sealed interface Optimizer {
    /** The name it is written with: `adam`. */
    String name();

    /** The base learning rate (before any schedule). */
    double lr();

    /** The update of one parameter of {@code size} floats; {@code l1} and {@code l2} are its regularization. */
    Update update(String kernel, long size, float l1, float l2);

    /** How an optimizer is written and built: its arguments, how many by position, and the record from checked arguments. */
    record Spec(List<ArgSpec> args, int positional, Function<Args, Optimizer> build) {}

    /** Every optimizer, by name. */
    Map<String, Spec> TABLE = table();

    /** Plain gradient descent, with PyTorch's momentum (and Nesterov's variant). */
    record Sgd(double lr, double momentum, boolean nesterov) implements Optimizer {
        public String name() { return "sgd"; }

        public Update update(String kernel, long size, float l1, float l2) {
            return Update.sgd(kernel, size, (float) momentum, nesterov, l1, l2);
        }

        @Override public String toString() { return text(name(), "lr", lr, "momentum", momentum, "nesterov", nesterov); }
    }

    record Adagrad(double lr, double eps) implements Optimizer {
        public String name() { return "adagrad"; }

        public Update update(String kernel, long size, float l1, float l2) {
            return Update.adagrad(kernel, size, (float) eps, l1, l2);
        }

        @Override public String toString() { return text(name(), "lr", lr, "eps", eps); }
    }

    record Rmsprop(double lr, double rho, double eps) implements Optimizer {
        public String name() { return "rmsprop"; }

        public Update update(String kernel, long size, float l1, float l2) {
            return Update.rmsprop(kernel, size, (float) rho, (float) eps, l1, l2);
        }

        @Override public String toString() { return text(name(), "lr", lr, "rho", rho, "eps", eps); }
    }

    record Adam(double lr, double beta1, double beta2, double eps) implements Optimizer {
        public String name() { return "adam"; }

        public Update update(String kernel, long size, float l1, float l2) {
            return Update.adam(kernel, size, (float) beta1, (float) beta2, (float) eps, l1, l2);
        }

        @Override public String toString() { return text(name(), "lr", lr, "beta1", beta1, "beta2", beta2, "eps", eps); }
    }

    /**
     * torch.optim.AdamW: Adam whose weight decay shrinks every trained parameter (weights, biases and
     * the rest, as PyTorch's default parameter list) by 1 − lr·weight_decay before its step. A
     * `regularize` penalty still adds to the gradient that enters the moments, as under Adam.
     */
    record AdamW(double lr, double beta1, double beta2, double eps, double weightDecay) implements Optimizer {
        public String name() { return "adamw"; }

        public Update update(String kernel, long size, float l1, float l2) {
            return Update.adamw(kernel, size, (float) beta1, (float) beta2, (float) eps, (float) weightDecay, l1, l2);
        }

        @Override public String toString() {
            return text(name(), "lr", lr, "beta1", beta1, "beta2", beta2, "eps", eps, "weight_decay", weightDecay);
        }
    }

    /** Rosenblatt's rule: SGD on the perceptron criterion, whose loss the trainer takes from the output step. */
    record Perceptron(double lr) implements Optimizer {
        public String name() { return "perceptron"; }

        public Update update(String kernel, long size, float l1, float l2) {
            return Update.sgd(kernel, size, 0f, false, l1, l2);
        }

        @Override public String toString() { return text(name(), "lr", lr); }
    }

    private static Map<String, Spec> table() {
        Map<String, Spec> t = new LinkedHashMap<>();
        t.put("sgd", new Spec(List.of(optional("lr", Kind.POSITIVE, 0.01), optional("momentum", Kind.RATE, 0.0),
                optional("nesterov", Kind.BOOL, false)), 1, a -> new Sgd(a.real("lr"), a.real("momentum"), a.flag("nesterov"))));
        t.put("adagrad", new Spec(List.of(optional("lr", Kind.POSITIVE, 0.01), optional("eps", Kind.POSITIVE, 1e-10)), 1,
                a -> new Adagrad(a.real("lr"), a.real("eps"))));
        t.put("rmsprop", new Spec(List.of(optional("lr", Kind.POSITIVE, 0.001), optional("rho", Kind.RATE, 0.9),
                optional("eps", Kind.POSITIVE, 1e-8)), 1, a -> new Rmsprop(a.real("lr"), a.real("rho"), a.real("eps"))));
        t.put("adam", new Spec(List.of(optional("lr", Kind.POSITIVE, 0.001), optional("beta1", Kind.RATE, 0.9),
                optional("beta2", Kind.RATE, 0.999), optional("eps", Kind.POSITIVE, 1e-8)), 1,
                a -> new Adam(a.real("lr"), a.real("beta1"), a.real("beta2"), a.real("eps"))));
        t.put("adamw", new Spec(List.of(optional("lr", Kind.POSITIVE, 0.001), optional("beta1", Kind.RATE, 0.9),
                optional("beta2", Kind.RATE, 0.999), optional("eps", Kind.POSITIVE, 1e-8), optional("weight_decay", Kind.NONNEG, 0.01)), 1,
                a -> new AdamW(a.real("lr"), a.real("beta1"), a.real("beta2"), a.real("eps"), a.real("weight_decay"))));
        t.put("perceptron", new Spec(List.of(optional("lr", Kind.POSITIVE, 1.0)), 1, a -> new Perceptron(a.real("lr"))));
        return java.util.Collections.unmodifiableMap(t);
    }

    /** `adam(lr: 0.001, beta1: 0.9, ...)`: a setting as people write it. */
    private static String text(String name, Object... pairs) {
        StringBuilder out = new StringBuilder(name).append('(');
        for (int i = 0; i < pairs.length; i += 2) {
            Object v = pairs[i + 1];
            out.append(i == 0 ? "" : ", ").append(pairs[i]).append(": ").append(v instanceof Double d ? Training.Call.format(d) : v);
        }
        return out.append(')').toString();
    }
}
