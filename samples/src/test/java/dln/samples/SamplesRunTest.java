package dln.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dln.Compiler;
import dln.emit.InMemoryJavac;
import dln.runtime.Backend;
import dln.runtime.Model;
import dln.runtime.cl.ClBackend;
import dln.runtime.cl.Devices;
import dln.runtime.jvm.JvmBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every sample compiles to Java that javac accepts; every model runs a forward pass; every model
 * with a train block lowers its loss over a few steps on a fixed batch, on the JVM backend and on
 * the OpenCL device (PoCL on the CPU in CI).
 */
class SamplesRunTest {
    static Stream<Path> samples() throws Exception { return ContractTest.samples(); }

    @ParameterizedTest
    @MethodSource("samples")
    void everyModelCompilesRunsAndLearns(Path sample) throws Exception {
        Compiler.Result r = Compiler.check(sample, sample.getFileName().toString());
        assertThat(r.ok()).as("%s", r.diagnostics().all()).isTrue();
        List<Compiler.Generated> all = Compiler.generate(r, "dln.samples.generated", sample.getFileName().toString());
        Map<String, String> sources = new LinkedHashMap<>(), programs = new LinkedHashMap<>();
        for (Compiler.Generated g : all) {
            sources.put(g.packageName() + "." + g.className(), g.java());
            programs.put(g.openclPath(), g.opencl());
        }
        ClassLoader loader = InMemoryJavac.compile(sources, programs);
        for (Compiler.Generated g : all) {
            for (Backend backend : backends()) {
                Class<?> cls = loader.loadClass(g.packageName() + "." + g.className());
                try (Model m = (Model) cls.getConstructor(Backend.class, int.class).newInstance(backend, 8)) {
                    m.initialize(1);
                    Random rnd = new Random(3);
                    float[][] xs = inputs(m.info(), 8, rnd);
                    float[][] ys = m.predict(8, xs);
                    for (float[] y : ys) for (float v : y) assertThat(Float.isFinite(v)).as("%s output on %s", g.model(), backend.description()).isTrue();
                    if (!m.info().trainable()) continue;
                    float[] targets = targets(m, 8, rnd, xs[0]);
                    m.evaluate(8, targets, xs);
                    double before = m.takeMetrics().loss();
                    for (int step = 0; step < 30; step++) m.trainStep(8, targets, xs);
                    m.takeMetrics();
                    m.evaluate(8, targets, xs);
                    double after = m.takeMetrics().loss();
                    assertThat(after).as("%s: loss after 30 steps on %s (before: %s)", g.model(), backend.description(), before).isLessThan(before);
                }
            }
        }
    }

    static List<Backend> backends() {
        List<Backend> out = new ArrayList<>(List.of(new JvmBackend()));
        if ("1".equals(System.getenv("DLN_SKIP_OPENCL"))) return out;
        List<Devices.Device> devices = Devices.list();
        if (devices.isEmpty()) throw new AssertionError("no OpenCL device: apt-get install pocl-opencl-icd, or DLN_SKIP_OPENCL=1");
        out.add(new ClBackend(devices.get(0)));
        return out;
    }

    static float[][] inputs(Model.Info info, int n, Random rnd) {
        float[][] xs = new float[info.inputs().size()][];
        for (int i = 0; i < xs.length; i++) {
            long size = 1;
            for (long d : info.inputShapes().get(i)) size *= d;
            xs[i] = new float[(int) (n * size)];
            for (int j = 0; j < xs[i].length; j++) xs[i][j] = info.intInputs().get(i) ? rnd.nextInt(2) : (float) rnd.nextGaussian();
        }
        return xs;
    }

    /** Random targets the model can fit on 8 examples; for the perceptron, a linearly separable rule (x₀ > 0). */
    static float[] targets(Model m, int n, Random rnd, float[] x) {
        Model.Info info = m.info();
        long width = m.targetWidth();
        long classes = 1;
        for (long d : info.outputShapes().get(0)) classes *= d;
        float[] t = new float[(int) (n * width)];
        for (int i = 0; i < t.length; i++) {
            t[i] = switch (info.loss()) {
                case "cross_entropy" -> rnd.nextInt((int) classes);
                case "binary_cross_entropy" -> rnd.nextInt(2);
                case "perceptron" -> x[(int) (i * (x.length / t.length))] > 0 ? 1 : 0;
                case "hinge" -> rnd.nextBoolean() ? 1 : -1;
                default -> (float) rnd.nextGaussian();
            };
        }
        return t;
    }
}
