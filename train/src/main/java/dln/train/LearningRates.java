package dln.train;

import dln.net.Training;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The learning rate of each epoch, from the train block's {@code schedule} (PyTorch's schedulers,
 * stepped once per epoch, epochs counted from 0): {@code step(every, factor)} is
 * lr·factor^⌊e/every⌋, {@code exponential(gamma)} lr·gammaᵉ, {@code cosine(min_lr)}
 * min_lr + (lr − min_lr)(1 + cos(πe/epochs))/2, and {@code plateau(factor, patience)} multiplies
 * the rate by factor after more than {@code patience} epochs without a relative improvement of
 * 1e-4 in the validation loss (the training loss without validation data). No schedule: constant.
 *
 * <p>{@code warmup: W} on any schedule first ramps the rate linearly: epoch e < W trains at
 * lr·(e + 1)/(W + 1), then the schedule runs from its own epoch 0 at epoch W over the E − W epochs
 * left (cosine's T_max), and plateau watches only the losses of those epochs. This is PyTorch's
 * {@code SequentialLR([LinearLR(start_factor=1/(W+1), total_iters=W), schedule], milestones=[W])}.
 */
public final class LearningRates {
    /** ReduceLROnPlateau's default relative threshold. */
    static final double THRESHOLD = 1e-4;

    private final Training.Call call;
    private final double base;
    private final long epochs;
    private double plateauRate;
    private double best = Double.POSITIVE_INFINITY;
    private long bad;
    /** Epochs whose loss {@link #observe} was told, warm-up included. */
    private long observed;

    public LearningRates(Training.Call call, double base, long epochs) {
        this.call = call;
        this.base = base;
        this.epochs = epochs;
        this.plateauRate = base;
    }

    /** The rate for epoch {@code epoch} (from 0). */
    public double rate(long epoch) {
        if (call == null) return base;
        long warmup = warmup();
        if (epoch < warmup) return base * (epoch + 1) / (warmup + 1);
        long e = epoch - warmup;
        return switch (call.name()) {
            case "step" -> base * Math.pow(call.real("factor"), Math.floorDiv(e, (long) call.real("every")));
            case "exponential" -> base * Math.pow(call.real("gamma"), e);
            case "cosine" -> {
                double min = call.real("min_lr");
                yield min + (base - min) * (1 + Math.cos(Math.PI * e / Math.max(1, epochs - warmup))) / 2;
            }
            case "plateau" -> plateauRate;
            default -> throw new IllegalStateException("unknown schedule " + call.name());
        };
    }

    /** The schedule's warm-up epochs (0 when it has none). */
    private long warmup() {
        Object w = call.args().get("warmup");
        return w == null ? 0 : ((Number) w).longValue();
    }

    /** Tells a plateau schedule the epoch's monitored loss (of each epoch in turn); other schedules, and warm-up epochs, ignore it. */
    public void observe(double loss) {
        if (call == null || !call.name().equals("plateau") || observed++ < warmup() || Double.isNaN(loss)) return;
        if (loss < best * (1 - THRESHOLD)) {
            best = loss;
            bad = 0;
        } else if (++bad > (long) call.real("patience")) {
            plateauRate *= call.real("factor");
            bad = 0;
        }
    }

    /** What a resumed run needs to continue (only plateau has any). */
    public Map<String, String> state() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("schedule.rate", Double.toString(plateauRate));
        s.put("schedule.best", Double.toString(best));
        s.put("schedule.bad", Long.toString(bad));
        s.put("schedule.observed", Long.toString(observed));
        return s;
    }

    public void restore(Map<String, String> s) {
        plateauRate = Double.parseDouble(s.get("schedule.rate"));
        best = Double.parseDouble(s.get("schedule.best"));
        bad = Long.parseLong(s.get("schedule.bad"));
        observed = Long.parseLong(s.getOrDefault("schedule.observed", "0"));   // absent from checkpoints before warm-up
    }
}
