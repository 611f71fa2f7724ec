package dln.ir;

import dln.kernel.Act;
import dln.kernel.ActGrad;
import dln.kernel.BiasGrad;
import dln.kernel.Dropout;
import dln.kernel.Gemm;
import dln.kernel.PoolBackward;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds a launch into the one before it where that kernel can apply it as it stores its result, as
 * a peephole pass over a launch list. Takes the backward pass in order; guarantees the same values
 * (each fold is a kernel variant tested against the launches it replaces) with a launch and a pass
 * over the data fewer. The folds:
 * <ul>
 * <li>a pooling's input gradient followed by the gradient of the activation that produced the
 *     pooling's input, in place on the same buffer (a convolution's relu before a max pooling),
 *     becomes the pooling's gradient times act'(x);</li>
 * <li>an input gradient dy·W followed by the dropout between two layers (the gradient product then
 *     writes the dropout's input gradient, masked) and by the activation's gradient (dz = dy·act'(y),
 *     in place, or into dz when nothing else reads dy): one product that stores ((dy·W) ⊙ mask) ⊙ act'(y);</li>
 * <li>a weight gradient dzᵀ·x followed by the bias gradient Σ dz of the same dz: one product that
 *     also writes the sums of dz's columns.</li>
 * </ul>
 */
final class Fuser {
    private Fuser() {}

    static List<Launch> backward(List<Launch> launches) {
        List<Launch> out = new ArrayList<>();
        for (int at = 0; at < launches.size(); at++) {
            Launch l = launches.get(at);
            Launch before = out.isEmpty() ? null : out.get(out.size() - 1);
            Launch folded = before == null ? null : fold(before, l, launches.subList(at + 1, launches.size()));
            if (folded != null) out.set(out.size() - 1, folded);
            else out.add(l);
        }
        return out;
    }

    /** {@code before} with {@code l} folded in, or null where it cannot be; {@code later} are the launches after l. */
    private static Launch fold(Launch before, Launch l, List<Launch> later) {
        if (before.kernel() instanceof PoolBackward pool && pool.act() == Act.LINEAR
                && l.kernel() instanceof ActGrad grad && grad.act().gradFromOutput() && activationOfPoolInput(before, l)) {
            return new Launch(pool.withAct(grad.act(), grad.alpha()), before.buffers(), before.counter(), before.comment() + "; dz = dx·act'(x)");
        }
        if (!(before.kernel() instanceof Gemm g)) return null;
        List<String> b = before.buffers();
        if (l.kernel() instanceof Dropout d && inputGradient(g) && g.grad().none() && g.beta() == 0 && d.size().equals(g.elements())
                && l.buffers().get(0).equals(b.get(2)) && !readBy(b.get(2), later)) {
            // the product writes the dropout's output gradient straight, masked; nothing else reads the unmasked one
            return new Launch(g.with(g.grad().withMask(d)), List.of(b.get(0), b.get(1), l.buffers().get(1)), true,
                    before.comment() + "; the same mask");
        }
        if (l.kernel() instanceof ActGrad a && inputGradient(g) && g.grad().act() == Act.LINEAR && a.size().equals(g.elements())
                && l.buffers().get(1).equals(b.get(2)) && (l.buffers().get(2).equals(b.get(2)) || g.beta() == 0 && !readBy(b.get(2), later))) {
            // in place, or into dz straight when nothing else reads dy (an activation layer of its own: gelu, silu)
            List<String> buffers = new ArrayList<>(List.of(b.get(0), b.get(1), l.buffers().get(2)));
            buffers.addAll(b.subList(3, b.size()));
            buffers.add(l.buffers().get(0));
            return new Launch(g.with(g.grad().withAct(a.act(), a.alpha())), buffers, before.counter(), before.comment() + "; dz = dy·act'(y)");
        }
        if (l.kernel() instanceof BiasGrad bias && g.transA() && !g.transB() && g.grad().none() && !g.m().batched()
                && bias.spatial() == 1 && bias.channels() == g.m().per() && bias.rows().equals(g.k()) && g.lda() == g.m().per()
                && l.buffers().get(0).equals(b.get(0))) {
            List<String> buffers = new ArrayList<>(b);
            buffers.add(l.buffers().get(1));
            return new Launch(g.with(g.grad().withSums()), buffers, before.counter(), before.comment() + "; db = Σ dz");
        }
        return null;
    }

    /** A·B stored whole: a dense layer's input gradient dz·W, whose elements an epilogue can scale one by one. */
    private static boolean inputGradient(Gemm g) {
        return !g.transA() && !g.transB() && g.epilogue().none() && g.ldc() == g.n().per() && !g.n().batched();
    }

    private static boolean readBy(String buffer, List<Launch> launches) {
        return launches.stream().anyMatch(l -> l.buffers().contains(buffer));
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
