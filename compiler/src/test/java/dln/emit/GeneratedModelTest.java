package dln.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dln.Compiler;
import dln.runtime.Backend;
import dln.runtime.Model;
import dln.runtime.cl.ClBackend;
import dln.runtime.cl.Devices;
import dln.runtime.jvm.JvmBackend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Generated classes compile, run and train, and the OpenCL device agrees with the JVM backend. */
class GeneratedModelTest {
    static final String XOR = """
            model Xor {
                input x: [2]
                output y = x -> dense(4) -> tanh -> dense(1) -> sigmoid
            }
            train Xor {
                data      inline(inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]])
                loss      mse
                optimizer sgd(lr: 0.5, momentum: 0.9)
                batch     all
                epochs    2000
                seed      7
            }
            """;
    static final float[] XOR_IN = {0, 0, 0, 1, 1, 0, 1, 1};
    static final float[] XOR_OUT = {0, 1, 1, 0};

    static Backend opencl() {
        if ("1".equals(System.getenv("DLN_SKIP_OPENCL"))) return null;
        List<Devices.Device> devices = Devices.list();
        if (devices.isEmpty()) throw new AssertionError("no OpenCL device: apt-get install pocl-opencl-icd, or DLN_SKIP_OPENCL=1");
        return new ClBackend(devices.get(0));
    }

    @Test void xorLearnsOnTheJvmBackend() {
        try (Model m = Models.instantiate(XOR, "Xor", new JvmBackend(), 4)) {
            m.initialize(7);
            float[] before = losses(m, 1);
            float[] after = losses(m, 600);
            assertThat(after[0]).isLessThan(before[0] / 10);
            float[] y = m.predict(4, XOR_IN)[0];
            for (int i = 0; i < 4; i++) assertThat(Math.round(y[i])).as("xor %s", i).isEqualTo((int) XOR_OUT[i]);
        }
    }

    @Test void openClTrainsXorLikeTheJvm() {
        Backend cl = opencl();
        if (cl == null) return;
        try (Model jvm = Models.instantiate(XOR, "Xor", new JvmBackend(), 4); Model ocl = Models.instantiate(XOR, "Xor", cl, 4)) {
            jvm.initialize(7);
            ocl.initialize(7);
            for (int step = 0; step < 50; step++) {
                jvm.trainStep(4, XOR_OUT, XOR_IN);
                ocl.trainStep(4, XOR_OUT, XOR_IN);
            }
            for (String p : jvm.parameterNames()) {
                float[] a = jvm.parameter(p), b = ocl.parameter(p);
                for (int i = 0; i < a.length; i++) assertThat(b[i]).as("%s[%d]", p, i).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }

    @Test void weightsRoundTripThroughSafetensorsBitForBit(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (Model a = Models.instantiate(XOR, "Xor", new JvmBackend(), 4); Model b = Models.instantiate(XOR, "Xor", new JvmBackend(), 4)) {
            a.initialize(3);
            for (int i = 0; i < 5; i++) a.trainStep(4, XOR_OUT, XOR_IN);
            java.nio.file.Path file = dir.resolve("xor.safetensors");
            a.save(file);
            b.initialize(99);
            b.load(file);
            for (String p : a.parameterNames()) {
                float[] x = a.parameter(p), y = b.parameter(p);
                for (int i = 0; i < x.length; i++) assertThat(Float.floatToRawIntBits(y[i])).as("%s[%d]", p, i).isEqualTo(Float.floatToRawIntBits(x[i]));
            }
            java.nio.file.Path again = dir.resolve("again.safetensors");
            b.save(again);
            assertThat(java.nio.file.Files.readAllBytes(again)).isEqualTo(java.nio.file.Files.readAllBytes(file));
            assertThat(b.predict(4, XOR_IN)[0]).containsExactly(a.predict(4, XOR_IN)[0]);
        }
    }

    @Test void weightsOfAnotherModelAreRefusedWithTheirDifferences(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String other = XOR.replace("dense(4)", "dense(5)");
        try (Model a = Models.instantiate(other, "Xor", new JvmBackend(), 4); Model b = Models.instantiate(XOR, "Xor", new JvmBackend(), 4)) {
            a.initialize(1);
            java.nio.file.Path file = dir.resolve("other.safetensors");
            a.save(file);
            b.initialize(2);
            float[] before = b.parameter("dense_1.weight");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.load(file))
                    .hasMessageContaining("these weights do not fit model Xor")
                    .hasMessageMatching("(?s).*\n  wrong shape +dense_1\\.weight +\\[4, 2\\] +dense_1\\.weight +\\[5, 2\\]\n.*");
            assertThat(b.parameter("dense_1.weight")).containsExactly(before);
        }
    }

    private static float[] losses(Model m, int steps) {
        for (int i = 0; i < steps; i++) m.trainStep(4, XOR_OUT, XOR_IN);
        m.takeMetrics();
        m.evaluate(4, XOR_OUT, XOR_IN);
        return new float[] {(float) m.takeMetrics().loss()};
    }

    // Dropout is the identity at inference, and costs nothing there: the next layer reads the
    // dropout's input (no copy, no launch). Here the first dense layer has no activation, so in
    // training nothing reads its output after the dropout and the planner could hand that memory to
    // a later buffer; inference must still see it whole. A dropout that is the model's output keeps
    // its copy, since the host reads that buffer.
    static final String DROPOUT = """
            model Drop {
                input x: [6]
                h = x -> dense(8) -> dropout(0.5)
                output y = h -> dense(5) -> dense(3) -> dropout(0.25)
            }
            train Drop {
                loss      mse
                optimizer sgd(lr: 0.1)
                batch     4
                epochs    1
            }
            """;

    @Test void dropoutCostsNothingAtInference() {
        float[] x = new float[3 * 6];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i + 1);
        Backend cl = opencl();
        try (Model jvm = Models.instantiate(DROPOUT, "Drop", new JvmBackend(), 4)) {
            jvm.initialize(2);
            float[] want = byHand(jvm, x, 3);
            long before = jvm.launches();
            float[] got = jvm.predict(3, x)[0];
            assertThat(jvm.launches() - before).as("three products and the output dropout's copy").isEqualTo(4);
            for (int i = 0; i < want.length; i++) assertThat(got[i]).as("y[%d]", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5f));
            if (cl == null) return;
            try (Model ocl = Models.instantiate(DROPOUT, "Drop", cl, 4)) {
                ocl.initialize(2);
                float[] onCl = ocl.predict(3, x)[0];
                for (int i = 0; i < want.length; i++) assertThat(onCl[i]).as("OpenCL y[%d]", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    /** The three dense layers in double, dropout as the identity. */
    private static float[] byHand(Model m, float[] x, int n) {
        double[] h = x.length == 0 ? null : toDouble(x);
        int width = 6;
        for (String layer : List.of("dense_1", "dense_2", "dense_3")) {
            float[] w = m.parameter(layer + ".weight"), b = m.parameter(layer + ".bias");
            int units = b.length;
            double[] next = new double[n * units];
            for (int r = 0; r < n; r++) {
                for (int u = 0; u < units; u++) {
                    double s = b[u];
                    for (int k = 0; k < width; k++) s += h[r * width + k] * w[u * width + k];
                    next[r * units + u] = s;
                }
            }
            h = next;
            width = units;
        }
        float[] out = new float[h.length];
        for (int i = 0; i < h.length; i++) out[i] = (float) h[i];
        return out;
    }

    private static double[] toDouble(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i];
        return out;
    }

    // What runs on OpenCL is the .cl file that dlnc emitted beside the class, not a program made
    // again from the kernels: an edit to the emitted file (the output layer storing 0.25) shows in
    // the predictions, while the JVM backend still runs the kernels' references. Without the file
    // the model says which file it needs.
    @Test void theEmittedProgramIsTheProgramThatRuns() throws Exception {
        Compiler.Generated g = Models.generate(XOR).get(0);
        String store = "*q = (1.0f / (1.0f + exp(-((t[i][j] + bias[j0 + j])))));";
        assertThat(g.opencl()).as("the output layer's store in the emitted program").contains(store);
        String edited = g.opencl().replace(store, "*q = 0.25f;");
        String name = g.packageName() + "." + g.className();
        ClassLoader loader = InMemoryJavac.compile(Map.of(name, g.java()), Map.of(g.openclPath(), edited));
        Class<?> type = loader.loadClass(name);
        try (Model jvm = (Model) type.getConstructor(Backend.class, int.class).newInstance(new JvmBackend(), 4)) {
            jvm.initialize(7);
            assertThat(jvm.predict(4, XOR_IN)[0]).doesNotContain(0.25f);
        }
        Backend cl = opencl();
        if (cl == null) return;
        try (Model ocl = (Model) type.getConstructor(Backend.class, int.class).newInstance(cl, 4)) {
            ocl.initialize(7);
            assertThat(ocl.predict(4, XOR_IN)[0]).containsOnly(0.25f);
        }
        Class<?> without = InMemoryJavac.compile(Map.of(name, g.java())).loadClass(name);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> without.getConstructor(Backend.class, int.class).newInstance(cl, 4))
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .rootCause().hasMessageContaining("the OpenCL program Xor.cl of dln.test.Xor is not on the class path");
    }

    // A model made only to predict allocates the parameters, the inputs and what the forward pass
    // uses, and nothing of training (gradients, Adam's moments, targets, metrics): less memory, the
    // same predictions; asked to train, it says why it cannot.
    @Test void aPredictionOnlyModelAllocatesNoTrainingBuffers() throws Exception {
        Compiler.Generated g = Models.generate(XOR).get(0);
        String name = g.packageName() + "." + g.className();
        Class<?> type = InMemoryJavac.compile(Map.of(name, g.java()), Map.of(g.openclPath(), g.opencl())).loadClass(name);
        long[] floats = new long[2];
        float[][] predictions = new float[2][];
        for (int only = 0; only < 2; only++) {
            int k = only;
            JvmBackend inner = new JvmBackend();
            Backend jvm = new Backend() {   // the JVM backend, counting what is allocated
                @Override public String description() { return inner.description(); }
                @Override public dln.runtime.Buffer allocate(long n) {
                    floats[k] += n;
                    return inner.allocate(n);
                }
                @Override public void write(dln.runtime.Buffer dst, float[] src, int from, int count) { inner.write(dst, src, from, count); }
                @Override public void read(dln.runtime.Buffer src, float[] dst, int to, int count) { inner.read(src, dst, to, count); }
                @Override public void compile(java.util.function.Supplier<String> program, List<dln.runtime.kernel.Kernel> kernels) { inner.compile(program, kernels); }
                @Override public void launch(dln.runtime.kernel.Kernel kernel, int batch, int step, dln.runtime.Buffer... args) { inner.launch(kernel, batch, step, args); }
                @Override public void finish() { }
                @Override public void close() { }
            };
            try (Model m = (Model) type.getConstructor(Backend.class, int.class, boolean.class).newInstance(jvm, 4, only == 1)) {
                m.initialize(7);
                predictions[only] = m.predict(4, XOR_IN)[0];
                if (only == 1) {
                    assertThat(m.predictionOnly()).isTrue();
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.trainStep(4, XOR_OUT, XOR_IN))
                            .hasMessageContaining("was made only to predict");
                }
            }
        }
        assertThat(predictions[1]).containsExactly(predictions[0]);
        // what stays: the 17 parameters, the input (4 × 2), the hidden layer (4 × 4) and the output (4 × 1);
        // the momentum, the gradients, the targets, the metrics and the rate go
        assertThat(floats[1]).as("floats allocated for prediction only").isEqualTo(17 + 4 * 2 + 4 * 4 + 4 * 1).isLessThan(floats[0]);
    }
}
