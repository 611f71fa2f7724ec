package dln.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dln.runtime.Backend;
import dln.runtime.Model;
import dln.runtime.jvm.JvmBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The samples' generated code trains alike on the OpenCL device and on the JVM backend: same
 * initial weights, same batches, a few optimizer steps, then every parameter compared. Kernels sum
 * in different orders, so agreement is within float rounding carried through the steps.
 */
class BackendsAgreeTest {
    @ParameterizedTest
    @CsvSource({"lenet5.dln, LeNet5", "xor.dln, Xor", "fashion_mlp.dln, FashionMlp", "sequence_lstm.dln, NextValue"})
    void trainingOnOpenClMatchesTheJvm(String sample, String model) throws IOException {
        Backend cl = GeneratedModelTest.opencl();
        if (cl == null) return;
        String dln = Files.readString(Path.of("../samples").resolve(sample));
        int n = 8;
        try (Model jvm = Models.instantiate(dln, model, new JvmBackend(), n); Model ocl = Models.instantiate(dln, model, cl, n)) {
            jvm.initialize(11);
            ocl.initialize(11);
            Random r = new Random(4);
            long per = 1;
            for (long d : jvm.info().inputShapes().get(0)) per *= d;
            for (int step = 0; step < 3; step++) {
                float[] x = new float[(int) (n * per)];
                for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
                float[] t = new float[(int) (n * jvm.targetWidth())];
                for (int i = 0; i < t.length; i++) t[i] = jvm.info().labels() ? r.nextInt(10) : r.nextInt(2);
                jvm.trainStep(n, t, x);
                ocl.trainStep(n, t, x);
            }
            assertThat(ocl.takeMetrics().loss()).isCloseTo(jvm.takeMetrics().loss(), org.assertj.core.data.Offset.offset(1e-3));
            for (String p : jvm.parameterNames()) {
                float[] a = jvm.parameter(p), b = ocl.parameter(p);
                double scale = 1e-6;
                for (float v : a) scale = Math.max(scale, Math.abs(v));
                for (int i = 0; i < a.length; i++) {
                    assertThat((double) b[i]).as("%s %s[%d]", model, p, i).isCloseTo(a[i], org.assertj.core.data.Offset.offset(2e-4 * scale + 1e-5));
                }
            }
        }
    }
}
