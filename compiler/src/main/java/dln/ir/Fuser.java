package dln.ir;

import dln.kernel.Act;
import dln.kernel.ActGrad;
import dln.kernel.Axpy;
import dln.kernel.BatchNormForward;
import dln.kernel.BiasAct;
import dln.kernel.BiasGrad;
import dln.kernel.ConvForward;
import dln.kernel.Dim;
import dln.kernel.Dropout;
import dln.kernel.Epilogue;
import dln.kernel.Gemm;
import dln.kernel.PoolBackward;
import dln.kernel.Softmax;
import dln.runtime.kernel.Kernel;
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
 * Over the forward launches, a dense layer's product followed by the kernel that reads its output
 * becomes one product that writes both outputs (the one before still stored: the backward pass or
 * an evaluation's loss reads it):
 * <ul>
 * <li>at inference ({@link #inference}), the softmax of its rows (a classifier's output; training
 *     needs no such fold, its loss takes the softmax itself);</li>
 * <li>in training ({@link #training}), the dropout after it: the activation for the backward pass,
 *     the dropped copy for the next layer, with the mask the dropout's own kernel makes.</li>
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

    /**
     * Inference's forward launches with the layers after a convolution or dense layer folded into
     * its epilogue where they can be: a batch norm (running statistics) on its output, then an
     * activation of its own (a copy and the activation in place: after a batch norm, or gelu and silu,
     * which training keeps apart for their gradient), each only where nothing else reads the value
     * it replaces; and a softmax of a dense layer's rows, into a second buffer. {@code outputs} are the
     * buffers the host reads; the folded kernels take their names from {@code plan}.
     */
    static List<Launch> inference(List<Launch> launches, java.util.Set<String> outputs, Plan plan) {
        List<Launch> out = new ArrayList<>();
        for (int at = 0; at < launches.size(); at++) {
            Launch l = launches.get(at);
            Launch before = out.isEmpty() ? null : out.get(out.size() - 1);
            List<Launch> later = launches.subList(at + 1, launches.size());
            Epilogue e = before == null ? null : epilogueOf(before.kernel());
            if (e != null && e.act() == Act.LINEAR && e.norm() == null && !e.second() && l.kernel() instanceof BatchNormForward bn && !bn.training()
                    && channelsMatch(before.kernel(), bn.channels(), bn.spatial()) && replaceable(before, l.buffers().get(0), l, later, outputs)) {
                // y = conv(x) + bias, z = batchnorm(y): one launch that stores z
                List<String> buffers = new ArrayList<>(before.buffers());
                buffers.set(2, l.buffers().get(7));
                buffers.addAll(l.buffers().subList(1, 5));   // the norm's weight, bias, running mean and variance
                out.set(out.size() - 1, new Launch(rename(before.kernel(), e.withNorm(bn.eps()), "fwd_bn", plan), buffers, before.counter(),
                        before.comment() + "; then " + l.comment()));
            } else if (e != null && e.act() == Act.LINEAR && !e.second() && l.kernel() instanceof Axpy copy && copy.alpha() == 1 && copy.beta() == 0
                    && at + 1 < launches.size() && launches.get(at + 1).kernel() instanceof BiasAct act && !act.bias() && act.act() != Act.LINEAR
                    && launches.get(at + 1).buffers().equals(List.of(l.buffers().get(1))) && copy.size().equals(outputSize(before.kernel()))
                    && replaceable(before, l.buffers().get(0), l, later.subList(1, later.size()), outputs)) {
                // an activation of its own: a copy, then the activation in place
                List<String> buffers = new ArrayList<>(before.buffers());
                buffers.set(2, l.buffers().get(1));
                String suffix = e.norm() != null ? "fwd_bn" : "fwd_" + act.act().name().toLowerCase(java.util.Locale.ROOT);
                out.set(out.size() - 1, new Launch(rename(before.kernel(), e.withAct(act.act(), act.alpha()), suffix, plan), buffers, before.counter(),
                        before.comment() + "; then " + launches.get(at + 1).comment()));
                at++;
            } else if (before != null && before.kernel() instanceof Gemm g && secondOutputFree(g) && l.kernel() instanceof Softmax sm && sm.width() == g.n().per()
                    && sm.rows().equals(g.m()) && l.buffers().get(0).equals(before.buffers().get(2))) {
                List<String> buffers = new ArrayList<>(before.buffers());
                buffers.add(l.buffers().get(1));
                String name = plan.kernel(plan.owner(g.name()), "fwd_softmax");
                out.set(out.size() - 1, new Launch(g.withSoftmax(name), buffers, before.counter(), before.comment() + "; then softmax of each row"));
            } else {
                out.add(l);
            }
        }
        return out;
    }

    /** The epilogue of a dense layer's forward product (stored whole) or of a convolution; null for other kernels. */
    private static Epilogue epilogueOf(Kernel k) {
        if (k instanceof ConvForward c) return c.epilogue();
        if (k instanceof Gemm g && wholeForward(g)) return g.epilogue();
        return null;
    }

    /** The output's size of {@link #epilogueOf}'s kernels. */
    private static Dim outputSize(Kernel k) {
        if (k instanceof ConvForward c) return Dim.batch(c.g().outChannels() * c.g().outVolume());
        return ((Gemm) k).elements();
    }

    private static boolean channelsMatch(Kernel k, long channels, long spatial) {
        if (k instanceof ConvForward c) return c.g().outChannels() == channels && c.g().outVolume() == spatial;
        Gemm g = (Gemm) k;
        return g.n().per() == channels && spatial == 1 && g.m().equals(Dim.batch(1));
    }

    /** Whether launch {@code l} reads {@code before}'s output as {@code value}, which no later launch reads and the host does not. */
    private static boolean replaceable(Launch before, String value, Launch l, List<Launch> later, java.util.Set<String> outputs) {
        return value.equals(before.buffers().get(2)) && !outputs.contains(value) && !readBy(value, later);
    }

    /** {@code k} with epilogue {@code e}, named {@code <layer>_<suffix>} unless a fold has renamed it already. */
    private static Kernel rename(Kernel k, Epilogue e, String suffix, Plan plan) {
        String owner = plan.owner(k.name());
        String name = k.name().equals(plan.stem(owner) + "_fwd") ? plan.kernel(owner, suffix) : k.name();
        return k instanceof ConvForward c ? c.with(name, e) : ((Gemm) k).with(name, e);
    }

    /** A training step's forward launches with the dropout after a dense layer folded into its product, the folded kernel named by {@code plan}. */
    static List<Launch> training(List<Launch> launches, Plan plan) {
        List<Launch> out = new ArrayList<>();
        for (Launch l : launches) {
            Launch before = out.isEmpty() ? null : out.get(out.size() - 1);
            if (before != null && before.kernel() instanceof Gemm g && secondOutputFree(g) && g.epilogue().norm() == null && l.kernel() instanceof Dropout d
                    && d.size().equals(g.elements()) && l.buffers().get(0).equals(before.buffers().get(2))) {
                List<String> buffers = new ArrayList<>(before.buffers());
                buffers.add(l.buffers().get(1));
                String name = plan.kernel(plan.owner(g.name()), "fwd_dropout");
                out.set(out.size() - 1, new Launch(g.withDropout(name, d), buffers, true, before.comment() + "; then " + l.comment() + " into its own buffer"));
            } else {
                out.add(l);
            }
        }
        return out;
    }

    /** A dense layer's forward product A·Bᵀ, stored whole, that writes no second buffer yet. */
    private static boolean secondOutputFree(Gemm g) {
        return wholeForward(g) && !g.epilogue().second();
    }

    /** A dense layer's forward product A·Bᵀ, stored whole (no accumulation, rows of C contiguous). */
    private static boolean wholeForward(Gemm g) {
        return g.transB() && !g.transA() && g.beta() == 0 && g.ldc() == g.n().per() && !g.n().batched();
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
