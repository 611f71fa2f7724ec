package dln.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Watches one quantity of the epoch log ({@code val_loss}, {@code accuracy}, ...) for the best
 * epoch and for early stopping, as Keras' EarlyStopping does: losses and errors should fall,
 * accuracy rise; an epoch improves when it beats the best by more than {@code minDelta}; training
 * stops after {@code patience} epochs in a row without improvement.
 */
public final class Monitor {
    private final String name;
    private final boolean maximize;
    private final double minDelta;
    private final long patience;
    private double best = Double.NaN;
    private long bestEpoch = -1;
    private long wait;

    /** {@code patience} < 0: never stop, only track the best epoch. */
    public Monitor(String name, double minDelta, long patience) {
        this.name = name;
        this.maximize = name.endsWith("accuracy");
        this.minDelta = minDelta;
        this.patience = patience;
    }

    public String name() { return name; }

    /** Records epoch {@code epoch}'s value; true when it is the best so far. NaN never improves. */
    public boolean update(long epoch, double value) {
        boolean improved = !Double.isNaN(value)
                && (Double.isNaN(best) || (maximize ? value > best + minDelta : value < best - minDelta));
        if (improved) {
            best = value;
            bestEpoch = epoch;
            wait = 0;
        } else {
            wait++;
        }
        return improved;
    }

    /** Whether training should stop now. */
    public boolean stop() { return patience >= 0 && wait > 0 && wait >= patience && bestEpoch >= 0; }

    public double best() { return best; }

    /** The best epoch (from 0), or -1 before any. */
    public long bestEpoch() { return bestEpoch; }

    public Map<String, String> state() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("monitor.best", Double.toString(best));
        s.put("monitor.best_epoch", Long.toString(bestEpoch));
        s.put("monitor.wait", Long.toString(wait));
        return s;
    }

    public void restore(Map<String, String> s) {
        best = Double.parseDouble(s.get("monitor.best"));
        bestEpoch = Long.parseLong(s.get("monitor.best_epoch"));
        wait = Long.parseLong(s.get("monitor.wait"));
    }
}
