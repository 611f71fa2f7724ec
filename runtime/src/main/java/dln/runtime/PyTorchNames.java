package dln.runtime;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names a PyTorch state dict gives what DLN names otherwise, kept in this one place. A DLN
 * recurrent layer is PyTorch's {@code nn.RNN}, {@code nn.LSTM} or {@code nn.GRU} with one layer, whose
 * state dict adds the layer's index to each parameter: PyTorch's {@code lstm_1.weight_ih_l0} is DLN's
 * {@code lstm_1.weight_ih}, and {@code lstm_1.bias_hh_l0_reverse} is {@code lstm_1.bias_hh_reverse}.
 * Batch norm's step counter {@code num_batches_tracked} has no DLN counterpart (DLN keeps no count).
 * Every other parameter has the same name in both.
 */
final class PyTorchNames {
    private static final Pattern RECURRENT = Pattern.compile("(.*\\.)?((?:weight|bias)_(?:ih|hh))_l(0|[1-9][0-9]*)(_reverse)?");
    private static final String COUNTER = "num_batches_tracked";

    private PyTorchNames() {}

    /** A recurrent layer's parameter under PyTorch's name: DLN's name for it, and the index of its layer in PyTorch's stack. */
    record Recurrent(String parameter, String layer) {
        /** Whether it is layer 0, the only layer a DLN recurrent layer has. */
        boolean first() { return layer.equals("0"); }
    }

    /** What a tensor named as PyTorch names a recurrent parameter stands for; null for any other name. */
    static Recurrent recurrent(String tensor) {
        Matcher m = RECURRENT.matcher(tensor);
        if (!m.matches()) return null;
        return new Recurrent(Objects.toString(m.group(1), "") + m.group(2) + Objects.toString(m.group(4), ""), m.group(3));
    }

    /** Whether a tensor is batch norm's step counter, whatever its dtype (a state dict converted to float keeps it). */
    static boolean stepCounter(String tensor) {
        return tensor.equals(COUNTER) || tensor.endsWith("." + COUNTER);
    }
}
