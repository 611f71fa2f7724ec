package dln.runtime.cl;

import dln.runtime.Buffer;
import dln.runtime.kernel.Choice;
import dln.runtime.kernel.Kernel;
import dln.runtime.kernel.Program;
import dln.runtime.kernel.Tunable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Chooses the block sizes of a model's tunable kernels on one device, as CLBlast's tuner does: each
 * candidate of each kernel shape is built (all of a shape's in one program, as build options on the
 * kernel's own source) and timed at its real sizes, once; the fastest is kept in the backend's
 * {@link TuningCache} under the device and the shape, which later runs build with.
 *
 * <p>Machines are noisy (a shared one here varies by 15 to 30% minutes apart), so the timing is
 * robust rather than quick: a warm-up, then {@value #ROUNDS} rounds in which every candidate runs
 * in turn (the order rotating), each sample long enough (about {@value #SAMPLE_MS} ms of launches) to
 * dwarf the clock and the queue, and the median of each candidate's samples. The defaults stay unless
 * a candidate's median beats theirs by more than {@value #MARGIN}, and does again when the two are
 * timed head to head for as many rounds: a smaller or passing gain is as likely noise.
 */
public final class Tuner {
    public static final int ROUNDS = 15;
    static final double SAMPLE_MS = 4;
    public static final double MARGIN = 0.10;

    /** A candidate and its median time a launch. */
    public record Trial(Choice choice, double ms) {}

    /**
     * A kernel shape's trials, the defaults first; when one beat the defaults by the margin, the two
     * timed again head to head ({@code rematch}: the defaults, then it; else empty); and the choice kept.
     */
    public record Outcome(String kernel, String shape, int batch, List<Trial> trials, List<Trial> rematch, Choice chosen) {
        Trial defaults() { return trials.get(0); }

        Trial best() { return trials.stream().min((a, b) -> Double.compare(a.ms(), b.ms())).orElseThrow(); }

        /** The median times of the defaults and of the choice: from the rematch when there was one. */
        double[] times() {
            List<Trial> final_ = rematch.isEmpty() ? trials : rematch;
            double chosenMs = final_.stream().filter(t -> t.choice().equals(chosen)).findFirst().orElseThrow().ms();
            return new double[] {final_.get(0).ms(), chosenMs};
        }

        /** What was tried and what won, for people. */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add("%s (batch %d): %s".formatted(kernel, batch, shape));
            for (Trial t : trials) {
                lines.add(String.format(Locale.ROOT, "  %-26s %9.4f ms%s", t.choice(), t.ms(), t == defaults() ? "  (default)" : ""));
            }
            Trial best = best();
            double lead = 1 - best.ms() / defaults().ms();
            if (best == defaults()) {
                lines.add("  chosen: the default, the fastest");
            } else if (rematch.isEmpty()) {
                lines.add(String.format(Locale.ROOT, "  chosen: the default (%s was %.0f%% faster, within the %.0f%% a change needs)",
                        best.choice(), 100 * lead, 100 * MARGIN));
            } else {
                double again = 1 - rematch.get(1).ms() / rematch.get(0).ms();
                lines.add(String.format(Locale.ROOT, "  again, head to head: the default %.4f ms, %s %.4f ms", rematch.get(0).ms(), best.choice(), rematch.get(1).ms()));
                lines.add(chosen.equals(best.choice())
                        ? String.format(Locale.ROOT, "  chosen: %s, %.0f%% faster than the default", chosen, 100 * again)
                        : String.format(Locale.ROOT, "  chosen: the default (%s's lead of %.0f%% did not hold: %.0f%% head to head)", best.choice(), 100 * lead, 100 * again));
            }
            return lines;
        }
    }

    private final ClBackend backend;

    public Tuner(ClBackend backend) { this.backend = backend; }

    /**
     * Tunes each shape among the tunable {@code kernels} (that have more than one candidate) at {@code batch}, records the choices in the
     * backend's cache (which its kernels build with from then on) and saves the cache.
     */
    public List<Outcome> tune(List<Kernel> kernels, int batch) throws IOException {
        Map<String, Tunable> shapes = new LinkedHashMap<>();
        for (Kernel k : kernels) if (k instanceof Tunable t && t.candidates().size() > 1) shapes.putIfAbsent(t.shape(), t);
        List<Outcome> outcomes = new ArrayList<>();
        for (Tunable t : shapes.values()) {
            Outcome o = tune(t, batch);
            outcomes.add(o);
            double[] times = o.times();
            backend.tuning().put(backend.device().key(), t.shape(), new TuningCache.Entry(o.chosen(), batch, times[0], times[1]));
        }
        if (!outcomes.isEmpty()) backend.tuning().save();
        return outcomes;
    }

    private Outcome tune(Tunable t, int batch) {
        List<Choice> candidates = t.candidates();
        List<Tunable> tries = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            Tunable k = t.named(t.name() + "_try" + i);
            backend.choose(k, candidates.get(i));
            tries.add(k);
        }
        backend.compile(() -> Program.source("tuning " + t.name(), tries), List.copyOf(tries));
        Buffer[] bufs = buffers(t.sizes(batch));
        double[] estimate = new double[tries.size()];
        for (int i = 0; i < tries.size(); i++) {
            time(tries.get(i), batch, bufs, 3);           // the first launch builds the work-group function
            estimate[i] = time(tries.get(i), batch, bufs, 3);
        }
        // as many launches a sample for every candidate, so that the wait at its end weighs the same
        int reps = (int) Math.max(1, Math.min(10_000, Math.ceil(SAMPLE_MS / median(estimate))));
        double[] medians = rounds(tries, batch, bufs, reps);
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < tries.size(); i++) trials.add(new Trial(candidates.get(i), medians[i]));
        Choice winner = decide(trials);
        if (winner.equals(t.defaults())) return new Outcome(t.name(), t.shape(), batch, trials, List.of(), winner);
        // a lead may be a burst of the machine's other work: it must hold in a rematch of the two
        Tunable challenger = tries.get(candidates.indexOf(winner));
        double[] again = rounds(List.of(tries.get(0), challenger), batch, bufs, reps);
        List<Trial> rematch = List.of(new Trial(t.defaults(), again[0]), new Trial(winner, again[1]));
        return new Outcome(t.name(), t.shape(), batch, trials, rematch, decide(rematch));
    }

    /** Each kernel's median milliseconds a launch over {@value #ROUNDS} rounds, in which they take turns in a rotating order. */
    private double[] rounds(List<? extends Kernel> kernels, int batch, Buffer[] bufs, int reps) {
        double[][] samples = new double[kernels.size()][ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            for (int j = 0; j < kernels.size(); j++) {
                int i = (j + r) % kernels.size();
                samples[i][r] = time(kernels.get(i), batch, bufs, reps);
            }
        }
        double[] medians = new double[kernels.size()];
        for (int i = 0; i < medians.length; i++) medians[i] = median(samples[i]);
        return medians;
    }

    /** The fastest of the trials when it beats the first (the defaults) by more than the margin; else the defaults. */
    static Choice decide(List<Trial> trials) {
        Trial defaults = trials.get(0), best = defaults;
        for (Trial t : trials) if (t.ms() < best.ms()) best = t;
        return best.ms() < (1 - MARGIN) * defaults.ms() ? best.choice() : defaults.choice();
    }

    private Buffer[] buffers(long[] sizes) {
        Random r = new Random(1);
        Buffer[] bufs = new Buffer[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            float[] values = new float[Math.toIntExact(sizes[i])];
            for (int j = 0; j < values.length; j++) values[j] = r.nextFloat() * 2 - 1;
            bufs[i] = backend.allocate(values.length);
            backend.write(bufs[i], values);
        }
        return bufs;
    }

    /** Milliseconds a launch, over {@code reps} launches and the wait for them. */
    private double time(Kernel k, int batch, Buffer[] bufs, int reps) {
        backend.finish();
        long start = System.nanoTime();
        for (int i = 0; i < reps; i++) backend.launch(k, batch, 0, bufs);
        backend.finish();
        return (System.nanoTime() - start) / 1e6 / reps;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
