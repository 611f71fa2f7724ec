package dln.kernel;

import dln.runtime.kernel.C;
import java.util.Set;

/** What {@link RecurrentForward} and {@link RecurrentBackward} share: the work-group shape and the rnn activations. */
final class Recurrent {
    /** Activations an rnn may use; leaky_relu, elu and step are not offered (the kernels carry no alpha). */
    static final Set<Act> RNN_ACTIVATIONS = Set.of(Act.TANH, Act.RELU, Act.SIGMOID, Act.LINEAR);

    private Recurrent() {}

    /** The arguments both kernels take; a reverse direction is one half of a bidirectional layer. */
    static void check(RecurrentCell cell, long time, long units, Act act, boolean bidirectional, boolean reverse) {
        if (time < 1 || units < 1) throw new IllegalArgumentException("time and units must be positive: " + time + ", " + units);
        if (cell == RecurrentCell.RNN && !RNN_ACTIVATIONS.contains(act)) throw new IllegalArgumentException("an rnn takes tanh, relu, sigmoid or linear, not " + act);
        if (reverse && !bidirectional) throw new IllegalArgumentException("the reverse direction belongs to a bidirectional layer");
    }

    /** One work-group per example: the units rounded up to a multiple of 32 (a warp), at most 256. */
    static int groupSize(long units) {
        return (int) Math.min((units + 31) / 32 * 32, 256);
    }

    /** The opening every recurrent kernel shares: which example this group runs, and this item's place in it. */
    static void openGroup(C out) {
        out.line("// one work-group per example; work-item lid owns units lid, lid + group size, ...");
        out.line("const int n = get_group_id(0);");
        out.line("const int lid = get_local_id(0);");
        out.line("if (n >= batch) return;");
    }
}
