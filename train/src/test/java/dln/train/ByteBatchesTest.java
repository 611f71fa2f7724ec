package dln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dln.net.Training;
import dln.runtime.Backend;
import dln.runtime.Model;
import dln.runtime.cl.ClBackend;
import dln.runtime.cl.Devices;
import dln.runtime.data.Dataset;
import dln.runtime.data.Values;
import dln.runtime.io.Safetensors;
import dln.runtime.jvm.JvmBackend;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A data set held as bytes (an IDX file's pixels and their scale) trains and evaluates exactly as
 * the floats the bytes stand for: the trainer and the evaluation send the bytes and the backend
 * converts them (OpenCL on the device), and the weights after two epochs, the epochs' losses and
 * accuracies (validation included) and the predictions are the same bit for bit, on the JVM and on
 * OpenCL.
 */
class ByteBatchesTest {
    /** TrainerTest's model and recipe without the augmentation, which works on floats (and 2 epochs). */
    static final TrainerTest.Compiled MODEL = TrainerTest.compile(TrainerTest.TINY.replaceAll("\\n\\s*augment [^\\n]*", ""));

    /** 96 examples of 4×4 bytes, three classes by the bright row; as bytes, or as the floats they stand for. */
    static Dataset data(boolean asBytes) {
        Random r = new Random(12);
        int n = 96;
        byte[] x = new byte[n * 16];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            y[i] = c;
            for (int k = 0; k < 16; k++) x[i * 16 + k] = (byte) (r.nextInt(60) + (k / 4 == c ? 180 : 0));
        }
        float[] table = new float[256];
        for (int b = 0; b < 256; b++) table[b] = b * (1f / 255);
        Values.Bytes bytes = new Values.Bytes(x, table);
        Values values = asBytes ? bytes : new Values.Floats(bytes.floats());
        return new Dataset(new long[] {1, 4, 4}, values, n, 1, y, true, i -> "example " + i);
    }

    /** A backend that counts the byte writes it passes on. */
    static final class Counting implements Backend {
        final Backend inner;
        int byteWrites;

        Counting(Backend inner) { this.inner = inner; }

        public String description() { return inner.description(); }
        public dln.runtime.Buffer allocate(long floats) { return inner.allocate(floats); }
        public void write(dln.runtime.Buffer dst, float[] src, int from, int count) { inner.write(dst, src, from, count); }
        public void write(dln.runtime.Buffer dst, byte[] src, int from, int count, float[] table) {
            byteWrites++;
            inner.write(dst, src, from, count, table);
        }
        public void read(dln.runtime.Buffer src, float[] dst, int to, int count) { inner.read(src, dst, to, count); }
        public void compile(Supplier<String> program, List<dln.runtime.kernel.Kernel> kernels) { inner.compile(program, kernels); }
        public void launch(dln.runtime.kernel.Kernel kernel, int batch, int step, dln.runtime.Buffer... args) { inner.launch(kernel, batch, step, args); }
        public void finish() { inner.finish(); }
        public void close() { inner.close(); }
    }

    /** What a run leaves: the weights, each epoch's values, the test set's evaluation and predictions. */
    record Run(Map<String, Safetensors.Tensor> weights, List<Map<String, Double>> epochs, Map<String, Double> test, float[] predictions) {}

    static Run trained(Backend backend, boolean asBytes) throws Exception {
        Training t = MODEL.training();
        Counting counting = new Counting(backend);
        try (Model m = MODEL.create(counting)) {
            m.initialize(t.seed());
            assertThat(t.augment()).isEmpty();
            Trainer.Result r = new Trainer(m, TrainerTest.settings(t, 2, null, false, null), new Trainer.Listener() {}, true)
                    .fit(Splits.of(t, data(asBytes), null, t.seed()));
            // 72 training examples in batches of 8, nine steps an epoch, and the 24 validation examples
            // once an epoch: each batch sent as bytes
            assertThat(counting.byteWrites).as("byte writes, data as bytes: %s", asBytes).isEqualTo(asBytes ? 20 : 0);
            Evaluation test = Evaluation.of(m, data(asBytes), List.of("accuracy"), true);
            float[] predictions = asBytes ? m.predict(96, ((Values.Bytes) data(true).values()).data(), ((Values.Bytes) data(true).values()).table())[0]
                    : m.predict(96, data(false).inputs())[0];
            return new Run(m.weights(), r.log().stream().map(Trainer.Epoch::values).toList(), test.values(), predictions);
        }
    }

    static void sameRuns(Supplier<Backend> backend) throws Exception {
        Run floats = trained(backend.get(), false), bytes = trained(backend.get(), true);
        assertThat(bytes.weights().keySet()).isEqualTo(floats.weights().keySet());
        for (String name : floats.weights().keySet()) {
            assertThat(bytes.weights().get(name).data()).as(name).containsExactly(floats.weights().get(name).data());
        }
        assertThat(bytes.epochs()).isEqualTo(floats.epochs());
        assertThat(bytes.epochs().get(1)).containsKeys("loss", "accuracy", "val_loss", "val_accuracy");
        assertThat(bytes.test()).isEqualTo(floats.test()).containsKeys("loss", "accuracy");
        assertThat(bytes.predictions()).containsExactly(floats.predictions());
    }

    @Test void badBytesAreRefusedWithTheirReason() {
        float[] table = new float[256];
        try (Model m = MODEL.create(new JvmBackend())) {
            m.initialize(1);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.predict(4, new byte[63], table))
                    .hasMessage("input x needs 64 values for 4 examples of shape [1, 4, 4], but has 63");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.trainStep(4, new float[4], new byte[64], new float[255]))
                    .hasMessage("a byte table has 256 entries, not 255");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.evaluate(4, new float[3], new byte[64], table))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test void onTheJvm() throws Exception {
        sameRuns(JvmBackend::new);
    }

    @Test void onOpenCl() throws Exception {
        assumeTrue(!"1".equals(System.getenv("DLN_SKIP_OPENCL")), "DLN_SKIP_OPENCL=1");
        List<Devices.Device> devices = Devices.list();
        assertThat(devices).as("an OpenCL device (apt-get install pocl-opencl-icd), or DLN_SKIP_OPENCL=1").isNotEmpty();
        sameRuns(() -> new ClBackend(devices.get(0)));
    }
}
