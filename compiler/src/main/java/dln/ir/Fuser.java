package dln.ir;

import dln.kernel.Act;
import dln.kernel.ActGrad;
import dln.kernel.PoolBackward;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds a launch into the one before it where that kernel can apply it as it stores its result, as
 * a peephole pass over a launch list. Takes the backward pass in order; guarantees the same values
 * (each fold is a kernel variant tested against the pair of launches it replaces) with a launch and
 * a pass over the data fewer. The one fold: a pooling's input gradient followed by the gradient of
 * the activation that produced the pooling's input, in place on the same buffer (a convolution's
 * relu before a max pooling), becomes the pooling's gradient times act'(x).
 */
final class Fuser {
    private Fuser() {}

    static List<Launch> backward(List<Launch> launches) {
        List<Launch> out = new ArrayList<>();
        for (Launch l : launches) {
            Launch before = out.isEmpty() ? null : out.get(out.size() - 1);
            if (before != null && before.kernel() instanceof PoolBackward pool && pool.act() == Act.LINEAR
                    && l.kernel() instanceof ActGrad grad && grad.act().gradFromOutput() && activationOfPoolInput(before, l)) {
                out.set(out.size() - 1, new Launch(pool.withAct(grad.act(), grad.alpha()), before.buffers(), before.counter(),
                        before.comment() + "; dz = dx·act'(x)"));
                continue;
            }
            out.add(l);
        }
        return out;
    }

    /**
     * Whether {@code grad} (buffers y, dy, dz) takes the activation's gradient at the pooling's input
     * x, in place on the very gradient the pooling (buffers x, dy, dx) has just written.
     */
    private static boolean activationOfPoolInput(Launch pool, Launch grad) {
        List<String> p = pool.buffers(), g = grad.buffers();
        return g.get(0).equals(p.get(0)) && g.get(1).equals(p.get(2)) && g.get(2).equals(p.get(2));
    }
}
