package dln.ir;

import dln.kernel.Axpy;
import dln.kernel.Correct;
import dln.kernel.Dim;
import dln.kernel.GradNorm;
import dln.kernel.Loss;
import dln.kernel.LossKind;
import dln.kernel.LossTotals;
import dln.kernel.OptimizerKind;
import dln.kernel.Update;
import dln.kernel.UpdateGroup;
import dln.net.Optimizer;
import dln.net.Training;
import dln.runtime.Slot;
import java.util.ArrayList;
import java.util.List;

/**
 * The training half of a graph: a loss on each output (weighted as the train block says), the backward pass (each node's
 * gradient rule, in reverse order) and one optimizer update per trained parameter. Takes a graph
 * with a train block; guarantees that every trained parameter gets its gradient written before
 * its update, and that softmax with cross-entropy (and the perceptron's step) is differentiated in
 * the fused, stable form: the loss writes the gradient of the activation's input directly.
 */
public final class Differentiator {
    private final Graph graph;
    private final Training training;
    private final Plan plan;
    private int groups;

    public Differentiator(Graph graph) {
        this.graph = graph;
        this.training = graph.training();
        this.plan = graph.plan();
    }

    /**
     * {@code foldedForward}: the kernels of training forward launches that the losses do themselves
     * (an output softmax of a cross-entropy), to be left out of the training forward pass.
     * {@code labels}: whether the first output's targets are class indices.
     */
    public record Result(List<Launch> loss, List<Launch> backward, List<Launch> update, boolean labels, List<String> foldedForward) {}

    /**
     * One loss launch per output, in output order, each scaled by its weight; the first output's
     * buffers are `:targets`, `:loss` and `:correct`, output z's `:targets.z`, `:loss.z` and
     * `:correct.z`, each loss's totals its own (so each counts its finite batches once).
     */
    public Result differentiate() {
        Gradients loss = new Gradients(plan, graph.needsGradient());
        Gradients back = new Gradients(plan, graph.needsGradient());
        List<Node> fused = new ArrayList<>();
        List<String> folded = new ArrayList<>();
        boolean labels = false;
        for (int i = 0; i < graph.outputs().size(); i++) {
            Graph.Port port = graph.outputs().get(i);
            LossKind kind = lossKind(i);
            if (i == 0) labels = kind == LossKind.CROSS_ENTROPY;
            Node f = loss(loss, port, i == 0 ? "" : "." + port.name(), kind, weight(i), folded);
            Operand target = f != null ? f.inputs().get(0) : port.value();
            if (f != null) fused.add(f);
            back.accumulates(target);
        }
        List<Node> nodes = graph.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (fused.contains(n) || !graph.needsGradient().contains(n.output().buffer()) || !back.started(n.output())) continue;
            n.backward(back);
        }
        return new Result(loss.launches(), Fuser.backward(back.launches()), update(back.trained()), labels, folded);
    }

    /**
     * The loss launch of one output, whose buffers end in {@code suffix}; returns the node whose
     * input's gradient the loss writes (see {@link #fusedWithLoss}), or null, and adds the kernel of
     * a softmax the loss computes itself to {@code folded}.
     */
    private Node loss(Gradients loss, Graph.Port port, String suffix, LossKind kind, float weight, List<String> folded) {
        Operand out = port.value();
        long width = out.size();
        boolean labels = kind == LossKind.CROSS_ENTROPY;
        Node fused = fusedWithLoss(kind, out);
        Operand target = fused != null ? fused.inputs().get(0) : out;
        String targets = plan.declare(Slot.work(":targets" + suffix, Slot.Role.TARGET, labels ? 1 : width, true));
        // two outputs of one value: the second loss's gradient goes to a scratch buffer, then added
        boolean adds = loss.accumulates(target);
        String grad = adds ? plan.work("grad.tmp." + target.buffer(), target.size()) : loss.dy(target);
        String name = plan.kernel(suffix.isEmpty() ? "loss" : "loss_" + port.name(), "fwd");
        // the softmax of a cross-entropy over whole rows, read by no other layer, is computed by the
        // loss itself in training
        boolean softmax = fused instanceof Node.SoftmaxNode sm && sm.width() == width
                && graph.nodes().stream().noneMatch(n -> n.inputs().contains(out));
        String what = (kind.name().toLowerCase(java.util.Locale.ROOT)) + (weight == 1 ? "" : " ×" + Training.Call.format(weight))
                + (fused != null ? ", gradient taken at " + fused.name() + "'s input" : "")
                + "; Σ loss and right answers into the totals";
        LossTotals k = new LossTotals(name, softmax, new Loss(name + "_each", kind, width, labels, weight), new Correct(name + "_right", width, labels));
        String lossTotal = plan.declare(Slot.work(":loss" + suffix, Slot.Role.METRICS, 2, false)); // Σ loss, finite batches (LossTotals)
        String correctTotal = plan.declare(Slot.work(":correct" + suffix, Slot.Role.METRICS, 1, false));
        if (softmax) loss.launch(k, fused.name() + " and " + what, target.buffer(), out.buffer(), targets, grad, lossTotal, correctTotal);
        else loss.launch(k, what, out.buffer(), targets, grad, lossTotal, correctTotal);
        if (adds) {
            loss.launch(new Axpy(plan.kernel(name, "add"), Dim.batch(target.size()), 1f, 1f), "adds this output's gradient", grad, loss.dy(target));
        }
        if (softmax) folded.add(plan.kernel(fused.name(), "fwd"));
        return fused;
    }

    /** The softmax (cross-entropy) or step (perceptron) node producing the output, whose gradient the loss writes through. */
    private Node fusedWithLoss(LossKind kind, Operand out) {
        for (Node n : graph.nodes()) {
            if (!n.output().equals(out)) continue;
            if (kind == LossKind.CROSS_ENTROPY && n instanceof Node.SoftmaxNode) return n;
            if (kind == LossKind.PERCEPTRON && n instanceof Node.Activation a && a.act() == dln.kernel.Act.STEP) return n;
        }
        return null;
    }

    /** The weight of output {@code i}'s loss in the total (1 for the perceptron's). */
    private float weight(int i) { return training.losses().isEmpty() ? 1f : (float) training.losses().get(i).weight(); }

    private LossKind lossKind(int i) {
        if (training.optimizer() instanceof Optimizer.Perceptron) return LossKind.PERCEPTRON;
        String name = training.losses().get(i).loss();
        return switch (name) {
            case "mse" -> LossKind.MSE;
            case "mae" -> LossKind.MAE;
            case "cross_entropy" -> LossKind.CROSS_ENTROPY;
            case "binary_cross_entropy" -> LossKind.BINARY_CROSS_ENTROPY;
            case "hinge" -> LossKind.HINGE;
            default -> throw new IllegalArgumentException("unknown loss " + name);
        };
    }

    private List<Launch> update(List<String> trained) {
        Gradients out = new Gradients(plan, graph.needsGradient());
        Optimizer opt = training.optimizer();
        plan.declare(Slot.work(":hyper", Slot.Role.HYPER, Update.HYPER, false));
        // One launch for every parameter (a multi-tensor apply), split only where OpenCL's argument
        // limit says: per-parameter launches cost more than the arithmetic on PoCL.
        Update.Clip clip = clip();
        if (clip.norm()) norms(out, trained);
        List<Update> parts = new ArrayList<>();
        List<String> buffers = new ArrayList<>(List.of(":hyper"));
        List<String> names = new ArrayList<>();
        for (String p : trained) {
            Slot slot = plan.slot(p);
            Update u = opt.update(plan.kernel(p, "update"), slot.per(), l1(p), l2(p)).clipped(clip);
            if (UpdateGroup.buffers(parts) + 2 + u.states() > UpdateGroup.MAX_BUFFERS) {
                flush(out, parts, buffers, names);
            }
            parts.add(u);
            names.add(p);
            buffers.add(p);
            buffers.add("grad." + p);
            for (int s = 1; s <= u.states(); s++) buffers.add(plan.declare(Slot.work(state(u.kind(), s) + ":" + p, Slot.Role.OPTIMIZER, slot.per(), false)));
        }
        if (!parts.isEmpty()) flush(out, parts, buffers, names);
        return out.launches();
    }

    /** The train block's `clip`, or none. */
    private Update.Clip clip() {
        Training.Call c = training.clip();
        return c == null ? Update.Clip.NONE : new Update.Clip(c.name().equals("norm"), (float) c.real("max"));
    }

    /** The regularization of parameter {@code p}: weights only (rank 2 or more), as the loss's penalty. */
    private float l1(String p) { return plan.slot(p).shape().length >= 2 ? (float) training.l1() : 0f; }

    private float l2(String p) { return plan.slot(p).shape().length >= 2 ? (float) training.l2() : 0f; }

    /** The squared norm of every regularized gradient into hyper[4], before any update reads it; split as the argument limit says. */
    private void norms(Gradients out, List<String> trained) {
        int per = (GradNorm.MAX_BUFFERS - 1) / 2;
        for (int from = 0; from < trained.size(); from += per) {
            List<String> chunk = trained.subList(from, Math.min(trained.size(), from + per));
            List<GradNorm.Part> parts = new ArrayList<>();
            List<String> buffers = new ArrayList<>(List.of(":hyper"));
            for (String p : chunk) {
                parts.add(new GradNorm.Part(plan.stem(p), plan.slot(p).per(), l1(p), l2(p)));
                buffers.add("grad." + p);
                buffers.add(p);
            }
            String name = plan.kernel("optimizer", from == 0 ? "grad_norm" : "grad_norm_" + (from / per + 1));
            out.launch(new GradNorm(name, parts, from == 0), "gradient norm: " + String.join(", ", chunk), buffers.toArray(String[]::new));
        }
    }

    /** Launches the group collected so far and starts the next. */
    private void flush(Gradients out, List<Update> parts, List<String> buffers, List<String> names) {
        String name = plan.kernel("optimizer", groups++ == 0 ? "update" : "update_" + groups);
        out.launch(new UpdateGroup(name, parts), "optimizer step: " + String.join(", ", names), buffers.toArray(String[]::new));
        parts.clear();
        names.clear();
        buffers.subList(1, buffers.size()).clear();
    }

    private static String state(OptimizerKind kind, int which) {
        return switch (kind) {
            case SGD -> "momentum";
            case ADAGRAD -> "adagrad.sum";
            case RMSPROP -> "rmsprop.square";
            case ADAM, ADAMW -> which == 1 ? "adam.m" : "adam.v";
        };
    }
}
