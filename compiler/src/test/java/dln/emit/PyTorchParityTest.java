package dln.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dln.runtime.Backend;
import dln.runtime.Model;
import dln.runtime.io.Npy;
import dln.runtime.jvm.JvmBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Weights trained in PyTorch give PyTorch's outputs, on the JVM and on OpenCL. Each fixture in
 * src/test/resources/pytorch is a model {@code <name>.dln}, its weights {@code <name>.safetensors}
 * under the DLN names, one {@code <name>.<input>.input.npy} per model input and PyTorch's
 * eval-mode output {@code <name>.output.npy}; make_fixtures.py there writes them (CI has no PyTorch).
 */
public class PyTorchParityTest {
    static final Path DIR = Path.of("src/test/resources/pytorch");
    private static final Pattern MODEL = Pattern.compile("\\bmodel\\s+(\\w+)");

    static Stream<String> fixtures() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".dln"))
                    .map(f -> f.substring(0, f.length() - ".dln".length())).sorted().toList();
            assertThat(names).as("fixtures in %s", DIR).isNotEmpty();
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theJvmBackendGivesPyTorchsOutputs(String fixture) throws IOException {
        try (Backend jvm = new JvmBackend()) {
            assertMatchesPyTorch(fixture, jvm);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void openClGivesPyTorchsOutputs(String fixture) throws IOException {
        Backend cl = GeneratedModelTest.opencl();
        assumeTrue(cl != null, "DLN_SKIP_OPENCL=1");
        try (cl) {
            assertMatchesPyTorch(fixture, cl);
        }
    }

    private static void assertMatchesPyTorch(String fixture, Backend backend) throws IOException {
        String dln = Files.readString(DIR.resolve(fixture + ".dln"));
        Npy.Array expected = Npy.read(DIR.resolve(fixture + ".output.npy"));
        int n = Math.toIntExact(expected.shape()[0]);
        try (Model model = Models.instantiate(dln, modelName(dln), backend, n)) {
            model.load(DIR.resolve(fixture + ".safetensors"));
            float[][] ys = model.predict(n, inputs(fixture, model.info(), n));
            assertThat(ys.length).as("number of outputs").isEqualTo(1);
            assertThat(n * Arrays.stream(model.info().outputShapes().get(0)).reduce(1, (a, b) -> a * b))
                    .as("output size").isEqualTo(expected.data().length);
            assertClose(fixture + " on " + backend.description(), expected.data(), ys[0]);
        }
    }

    private static float[][] inputs(String fixture, Model.Info info, int n) throws IOException {
        float[][] xs = new float[info.inputs().size()][];
        for (int i = 0; i < xs.length; i++) {
            Npy.Array x = Npy.read(DIR.resolve(fixture + "." + info.inputs().get(i) + ".input.npy"));
            long[] shape = new long[info.inputShapes().get(i).length + 1];
            shape[0] = n;
            System.arraycopy(info.inputShapes().get(i), 0, shape, 1, shape.length - 1);
            assertThat(x.shape()).as("shape of input %s", info.inputs().get(i)).isEqualTo(shape);
            assertThat(x.integer()).as("input %s holds integer ids", info.inputs().get(i)).isEqualTo(info.intInputs().get(i));
            xs[i] = x.data();
        }
        return xs;
    }

    /** Within 1e-5 + 1e-4·|expected| everywhere; the message lists every value that is not. */
    public static void assertClose(String what, float[] expected, float[] actual) {
        assertThat(actual).as("%s: number of values", what).hasSameSizeAs(expected);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < expected.length; i++) {
            double tolerance = 1e-5 + 1e-4 * Math.abs(expected[i]);
            if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
                wrong.add(String.format("[%d] %.7g, PyTorch %.7g", i, actual[i], expected[i]));
            }
        }
        assertThat(wrong).as("%s: values that differ from PyTorch's by more than 1e-5 + 1e-4·|y|", what).isEmpty();
    }

    private static String modelName(String dln) {
        Matcher m = MODEL.matcher(dln.replaceAll("//[^\n]*", ""));
        assertThat(m.find()).as("a model in the fixture").isTrue();
        return m.group(1);
    }
}
