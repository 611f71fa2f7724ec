package dln.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dln.op.Op;
import dln.op.OpTest;
import dln.runtime.Backend;
import dln.runtime.Model;
import dln.runtime.jvm.JvmBackend;
import java.util.Random;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op of the table trains alike on the OpenCL device and on the JVM backend (the kernels'
 * references): a model whose first layer is the op, the same weights and batches, two SGD steps,
 * then the outputs and every parameter compared.
 */
class EveryOpAgreesTest {
    static Stream<String> layers() { return Op.signatures().keySet().stream(); }

    @ParameterizedTest @MethodSource("layers")
    void openClMatchesTheJvm(String layer) {
        Backend cl = GeneratedModelTest.opencl();
        if (cl == null) return;
        String dln = OpTest.model(layer);
        int n = 3;
        try (Model jvm = Models.instantiate(dln, "M", new JvmBackend(), n); Model ocl = Models.instantiate(dln, "M", cl, n)) {
            jvm.initialize(3);
            ocl.initialize(3);
            Random r = new Random(5);
            for (int step = 0; step < 2; step++) {
                float[][] xs = new float[jvm.info().inputs().size()][];
                for (int i = 0; i < xs.length; i++) {
                    long size = 1;
                    for (long d : jvm.info().inputShapes().get(i)) size *= d;
                    xs[i] = new float[(int) (n * size)];
                    for (int j = 0; j < xs[i].length; j++) xs[i][j] = jvm.info().intInputs().get(i) ? r.nextInt(10) : (float) r.nextGaussian();
                }
                float[] t = new float[(int) (n * jvm.targetWidth())];
                for (int i = 0; i < t.length; i++) t[i] = (float) r.nextGaussian();
                jvm.trainStep(n, t, xs);
                ocl.trainStep(n, t, xs);
            }
            for (String p : jvm.parameterNames()) {
                float[] a = jvm.parameter(p), b = ocl.parameter(p);
                double scale = 1e-6;
                for (float v : a) scale = Math.max(scale, Math.abs(v));
                for (int i = 0; i < a.length; i++) {
                    assertThat((double) b[i]).as("%s: %s[%d]", layer, p, i).isCloseTo(a[i], Offset.offset(2e-4 * scale + 1e-5));
                }
            }
        }
    }
}
