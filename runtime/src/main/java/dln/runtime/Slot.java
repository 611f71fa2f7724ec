package dln.runtime;

/**
 * One buffer of a compiled model, as the compiler planned it: its name, what it holds, its size
 * ({@code per} floats, times the batch when {@code batched}) and, for parameters, their PyTorch
 * shape and how they start.
 */
public record Slot(String name, Role role, long per, boolean batched, long[] shape, Init init) {

    public enum Role {
        /** A model input, uploaded before each run. */ INPUT,
        /** The targets of a training step. */ TARGET,
        /** A trained parameter, saved with the weights. */ PARAM,
        /** A saved but untrained buffer (batch norm's running statistics). */ STATE,
        /** An optimizer's per-parameter state (momentum, second moments). */ OPTIMIZER,
        /** The learning rate and step count read by the update kernels. */ HYPER,
        /** Loss sum, correct count and example count, accumulated on the device. */ METRICS,
        /** Everything else: activations, gradients, scratch. */ WORK
    }

    public static Slot param(String name, Role role, long[] shape, Init init) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return new Slot(name, role, n, false, shape, init);
    }

    public static Slot work(String name, Role role, long per, boolean batched) {
        return new Slot(name, role, per, batched, null, null);
    }

    public long size(int batch) { return batched ? per * batch : per; }
}
