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
        float[] predictions = run(model, data, errors || confusion);
        Model.Metrics m = model.takeMetrics();
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss", m.loss());
        for (String metric : metrics) {
            switch (metric) {
                case "accuracy" -> values.put("accuracy", m.accuracy());
                case "mae" -> values.put("mae", error(predictions, data, 1));
                case "mse" -> values.put("mse", error(predictions, data, 2));
                default -> { }
            }
        }
        return new Evaluation(values, confusion && data.labels() ? confusion(predictions, data, model) : null);
    }

    /**
     * Evaluates {@code data} a chunk at a time (whole multiples of the model's batch, so the totals
     * add up in the same order as in one call), converting only a chunk's inputs to floats: a
     * validation set converted whole every epoch had made the heap grow through a run. Returns the
     * predictions of the first output when {@code predict}, else null.
     */
    private static float[] run(Model model, Dataset data, boolean predict) {
        // a split's training part picks its bytes from the loaded data: gathered here (an autoencoder's
        // mse on its training images), they take the bytes' way, not float chunks with targets copied per chunk
        Values values = data.values() instanceof Values.Picked p && p.base() instanceof Values.Bytes ? p.range(0, p.length()) : data.values();
        if (values instanceof Values.Bytes bytes && model.info().inputs().size() == 1) {
            // bytes (an IDX file's pixels) go to the backend as they are, converted there: no chunks to convert
            model.evaluate(data.count(), data.targets(), bytes.data(), bytes.table());
            return predict ? model.predict(data.count(), bytes.data(), bytes.table())[0] : null;
        }
        int n = data.count(), per = (int) data.inputSize(), width = (int) data.targetWidth();
        int chunk = model.maxBatch() * Math.max(1, CHUNK / model.maxBatch());
        long outputs = Sources.size(model.info().outputShapes().get(0));
        float[] predictions = predict ? new float[Math.toIntExact(n * outputs)] : null;
        float[] x = new float[Math.min(chunk, n) * per];
        for (int start = 0; start < n; start += chunk) {
            int m = Math.min(chunk, n - start);
            for (int k = 0; k < m; k++) data.copyInputs(start + k, x, k * per);
            float[][] inputs = Inputs.unpack(x, m, model.info().inputShapes());
            model.evaluate(m, java.util.Arrays.copyOfRange(data.targets(), start * width, (start + m) * width), inputs);
            if (predict) System.arraycopy(model.predict(m, inputs)[0], 0, predictions, Math.toIntExact(start * outputs), Math.toIntExact(m * outputs));
        }
        return predictions;
    }

    /** Examples converted to floats at a time, about: 4096 images of 28×28 are 12.8 MB. */
    private static final int CHUNK = 4096;

    /** Mean absolute (power 1) or squared (power 2) error over every output value. */
    static double error(float[] predictions, Dataset data, int power) {
        float[] t = data.targets();
        if (data.labels()) return Double.NaN;
        double sum = 0;
        for (int i = 0; i < t.length; i++) {
            double e = Math.abs(predictions[i] - t[i]);
            sum += power == 1 ? e : e * e;
        }
        return t.length == 0 ? Double.NaN : sum / t.length;
    }

    private static long[][] confusion(float[] predictions, Dataset data, Model model) {
        long[] shape = model.info().outputShapes().get(0);
        int classes = (int) shape[shape.length - 1];
        long[][] counts = new long[classes][classes];
        for (int i = 0; i < data.count(); i++) {
            int best = 0;
            for (int k = 1; k < classes; k++) if (predictions[i * classes + k] > predictions[i * classes + best]) best = k;
            counts[data.label(i)][best]++;
        }
        return counts;
    }
}
