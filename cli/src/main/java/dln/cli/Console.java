package dln.cli;

import dln.train.Evaluation;
import dln.train.Trainer;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What `dlnc train` prints: on a terminal, a progress bar per epoch (steps, images per second,
 * running loss, time left) that gives way to the epoch's summary line; elsewhere (a CI log, a
 * pipe) only the summary lines, one per epoch.
 */
final class Console implements Trainer.Listener {
    /** Runs of up to this many epochs print every epoch's line. */
    static final long EVERY_EPOCH = 100;

    private final PrintWriter out;
    private final PrintStream terminal;
    private ProgressBar bar;
    private long started;
    private boolean lossShown;
    private String slowStartNote;

    /** {@code terminal}: where to draw progress bars, or null for line output only. */
    Console(PrintWriter out, PrintStream terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** What to say when the first step is slow (the device's reason), or null to say nothing. */
    Console slowStartNote(String note) {
        this.slowStartNote = note;
        return this;
    }

    @Override public boolean live() { return terminal != null; }

    @Override public void slowFirstStep(double seconds) {
        if (slowStartNote == null) return;
        String note = String.format(Locale.ROOT, "(the first step has taken %.0f s so far: %s)", seconds, slowStartNote);
        if (terminal != null) {
            terminal.print("\r\033[K" + note + "\n");   // above the progress bar, which redraws on the next line
            terminal.flush();
        } else {
            out.println(note);
            out.flush();
        }
    }

    @Override public void epochStarted(long epoch, long epochs, int steps, int examples) {
        if (terminal == null) return;
        out.flush();
        started = System.nanoTime();
        lossShown = false;
        bar = new ProgressBarBuilder()
                .setTaskName("epoch " + (epoch + 1) + "/" + epochs)
                .setInitialMax(steps)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setUpdateIntervalMillis(100)
                .setConsumer(new Line(terminal))
                .clearDisplayOnFinish()
                .build();
    }

    @Override public void progress(int step, int steps, long examples, double loss) {
        if (bar == null) return;
        double seconds = (System.nanoTime() - started) / 1e9;
        bar.stepTo(step);
        // the running loss is NaN until the epoch's first read of the device's sums: say nothing of it until then
        lossShown |= !Double.isNaN(loss);
        String speed = String.format(Locale.ROOT, "%.0f img/s", examples / Math.max(seconds, 1e-9));
        bar.setExtraMessage(lossShown ? String.format(Locale.ROOT, "loss %.4f  ", loss) + speed : speed);
    }

    @Override public void epochEnded(Trainer.Epoch e, boolean last) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        if (!shown(e.epoch(), e.epochs(), last)) return;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d", e.epoch() + 1, e.epochs()));
        e.values().forEach((k, v) -> line.append("  ").append(k).append(' ').append(value(v)));
        line.append("  lr ").append(rate(e.lr())).append(String.format(Locale.ROOT, "  %.1f s", e.seconds()));
        out.println(line);
        out.flush();
    }

    /**
     * Whether epoch {@code epoch}'s line is printed: every epoch of runs up to {@link #EVERY_EPOCH}
     * epochs; of longer ones (XOR's 2000), about that many lines in all, and always the first and last.
     */
    static boolean shown(long epoch, long epochs, boolean last) {
        long every = epochs <= EVERY_EPOCH ? 1 : (epochs + EVERY_EPOCH - 1) / EVERY_EPOCH;
        return last || epoch == 0 || (epoch + 1) % every == 0;
    }

    /** The final lines: one per test metric, {@code test accuracy: 0.9733}. */
    void test(Evaluation e) {
        Map<String, Double> v = e.values();
        v.forEach((k, value) -> {
            if (!k.equals("loss")) out.println("test " + k + ": " + value(value));
        });
        out.println("test loss: " + value(v.get("loss")));
    }

    /** A loss or metric: four decimals, or three significant digits below 0.001 (XOR's loss ends near 1e-5). */
    static String value(double v) {
        return v != 0 && Math.abs(v) < 1e-3 ? String.format(Locale.ROOT, "%.3e", v) : String.format(Locale.ROOT, "%.4f", v);
    }

    /** A learning rate as people write it: 0.001, 0.000125, 1.5e-05. */
    static String rate(double lr) {
        String s = String.format(Locale.ROOT, "%.4g", lr);
        if (s.contains("e")) return s.replaceFirst("\\.?0+e", "e");
        return s.contains(".") ? s.replaceFirst("\\.?0+$", "") : s;
    }

    /** Draws on the terminal's current line and leaves the cursor there, so the summary line replaces the bar. */
    private static final class Line extends ConsoleProgressBarConsumer {
        private final PrintStream stream;

        Line(PrintStream stream) {
            super(stream);
            this.stream = stream;
        }

        @Override public void close() { stream.flush(); }
    }
}
