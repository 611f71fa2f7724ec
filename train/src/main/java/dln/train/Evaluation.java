package dln.train;

import dln.runtime.Model;
import dln.runtime.data.Dataset;
import dln.runtime.data.Values;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's loss and metrics on a data set, in inference mode (dropout off, batch norm's running
 * statistics): the loss and accuracy as the device computes them in training, {@code mae} and
 * {@code mse} on the host from the predictions, and for classifiers a confusion matrix (rows are
 * true classes, columns predicted ones).
 */
public record Evaluation(Map<String, Double> values, long[][] confusion) {

    /**
     * Evaluates {@code data} (targets as {@link Sources#fit} gives them). {@code metrics} lists
     * which of accuracy, mae and mse to compute; the loss always is.
     */
    public static Evaluation of(Model model, Dataset data, List<String> metrics, boolean confusion) {
        boolean errors = metrics.contains("mae") || metrics.contains("mse");
        model.takeMetrics();
        Tally tally = errors || confusion && data.labels() ? new Tally(data, confusion && data.labels() ? classes(model) : 0) : null;
        run(model, data, tally);
        Model.Metrics m = model.takeMetrics();
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", m.loss());
        for (String metric : metrics) {
            switch (metric) {
                case "accuracy" -> values.put("accuracy", m.accuracy());
                case "mae" -> values.put("mae", tally.error(1));
                case "mse" -> values.put("mse", tally.error(2));
                default -> { }
            }
        }
        return new Evaluation(values, tally == null ? null : tally.counts);
    }

    /**
     * Evaluates {@code data} a chunk at a time (whole multiples of the model's batch, so the totals
     * add up in the same order as in one call, and each prediction batch is the one a single call
     * would have made), converting only a chunk's inputs to floats: a validation set converted whole
     * every epoch had made the heap grow through a run. The predictions of the first output go to
     * {@code tally} chunk by chunk when it is not null: an autoencoder's predictions of its
     * training images, kept whole, had been 169 MB a epoch.
     */
    private static void run(Model model, Dataset data, Tally tally) {
        int n = data.count(), per = (int) data.inputSize(), width = (int) data.targetWidth();
        int chunk = model.maxBatch() * Math.max(1, CHUNK / model.maxBatch());
        // a split's training part picks its bytes from the loaded data: gathered here (an autoencoder's
        // mse on its training images), they take the bytes' way, not float chunks with targets copied per chunk
        Values values = data.values() instanceof Values.Picked p && p.base() instanceof Values.Bytes ? p.range(0, p.length()) : data.values();
        if (values instanceof Values.Bytes bytes && model.info().inputs().size() == 1) {
            // bytes (an IDX file's pixels) go to the backend as they are, converted there: no chunks to convert
            model.evaluate(n, data.targets(), bytes.data(), bytes.table());
            if (tally == null) return;
            for (int start = 0; start < n; start += chunk) {
                int m = Math.min(chunk, n - start);
                tally.add(model.predict(m, java.util.Arrays.copyOfRange(bytes.data(), start * per, (start + m) * per), bytes.table())[0], start, m);
            }
            return;
        }
        float[] x = new float[Math.min(chunk, n) * per];
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            for (int k = 0; k < m; k++) data.copyInputs(start + k, x, k * per);
            float[][] inputs = Inputs.unpack(x, m, model.info().inputShapes());
            model.evaluate(m, java.util.Arrays.copyOfRange(data.targets(), start * width, (start + m) * width), inputs);
            if (tally != null) tally.add(model.predict(m, inputs)[0], start, m);
        }
    }

    private static int classes(Model model) {
        long[] shape = model.info().outputShapes().get(0);
        return (int) shape[shape.length - 1];
    }

    /**
     * What the predictions add up to, a chunk of examples at a time, in the examples' order: the sums
     * of absolute and squared errors against the targets (not for class labels), and with
     * {@code classes} the confusion matrix.
     */
    private static final class Tally {
        private final Dataset data;
        private final long[][] counts;
        private double absolute, squared;

        Tally(Dataset data, int classes) {
            this.data = data;
            this.counts = classes == 0 ? null : new long[classes][classes];
        }

        void add(float[] predictions, int start, int m) {
            if (!data.labels()) {
                float[] t = data.targets();
                int width = (int) data.targetWidth(), from = start * width;
                for (int i = 0; i < m * width; i++) {
                    double e = Math.abs(predictions[i] - t[from + i]);
                    absolute += e;
                    squared += e * e;
                }
            }
            if (counts == null) return;
            int classes = counts.length;
            for (int i = 0; i < m; i++) {
                int best = 0;
                for (int k = 1; k < classes; k++) if (predictions[i * classes + k] > predictions[i * classes + best]) best = k;
                counts[data.label(start + i)][best]++;
            }
        }

        /** Mean absolute (power 1) or squared (power 2) error over every output value; NaN for class labels or no examples. */
        double error(int power) {
            long values = data.targets().length;
            if (data.labels() || values == 0) return Double.NaN;
            return (power == 1 ? absolute : squared) / values;
        }
    }

    /** Examples converted to floats at a time, about: 4096 images of 28×28 are 12.8 MB. */
    private static final int CHUNK = 4096;
}
