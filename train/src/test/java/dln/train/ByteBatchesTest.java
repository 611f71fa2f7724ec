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
 * A data set held as bytes (an IDX file's pixels and their scale) trains exactly as the floats the
 * bytes stand for: the trainer sends the bytes and the backend converts them (OpenCL on the device),
 * and the weights after two epochs are the same bit for bit, on the JVM and on OpenCL.
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

    static Map<String, Safetensors.Tensor> trained(Backend backend, boolean asBytes) throws Exception {
        Training t = MODEL.training();
        Counting counting = new Counting(backend);
        try (Model m = MODEL.create(counting)) {
            m.initialize(t.seed());
            assertThat(t.augment()).isEmpty();
            new Trainer(m, TrainerTest.settings(t, 2, null, false, null), new Trainer.Listener() {}, true)
                    .fit(Splits.of(t, data(asBytes), null, t.seed()));
            // 72 training examples in batches of 8: nine steps an epoch, each sending its batch as bytes
            assertThat(counting.byteWrites).as("byte writes, data as bytes: %s", asBytes).isEqualTo(asBytes ? 18 : 0);
            return m.weights();
        }
    }

    static void sameWeights(Supplier<Backend> backend) throws Exception {
        Map<String, Safetensors.Tensor> floats = trained(backend.get(), false), bytes = trained(backend.get(), true);
        assertThat(bytes.keySet()).isEqualTo(floats.keySet());
        for (String name : floats.keySet()) assertThat(bytes.get(name).data()).as(name).containsExactly(floats.get(name).data());
    }

    @Test void onTheJvm() throws Exception {
        sameWeights(JvmBackend::new);
    }

    @Test void onOpenCl() throws Exception {
        assumeTrue(!"1".equals(System.getenv("DLN_SKIP_OPENCL")), "DLN_SKIP_OPENCL=1");
        List<Devices.Device> devices = Devices.list();
        assertThat(devices).as("an OpenCL device (apt-get install pocl-opencl-icd), or DLN_SKIP_OPENCL=1").isNotEmpty();
        sameWeights(() -> new ClBackend(devices.get(0)));
    }
}
