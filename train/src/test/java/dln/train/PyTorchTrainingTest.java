package dln.train;

import static org.assertj.core.api.Assertions.assertThat;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dln.net.Training;
import dln.runtime.Backend;
import dln.runtime.Model;
import dln.runtime.cl.ClBackend;
import dln.runtime.cl.Devices;
import dln.runtime.jvm.JvmBackend;
import dln.runtime.data.Dataset;
import dln.runtime.io.Npy;
import dln.runtime.io.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Training equals PyTorch's step for step: each fixture in src/test/resources/pytorch (written by
 * make_training_fixtures.py there) is a model with its train block, its initial weights, its data and
 * the weights torch.optim left after the same epochs of the same batches, with the rate of each epoch
 * as PyTorch's scheduler set it. The trainer runs the train block on the JVM backend and on OpenCL
 * from those initial weights, in order (shuffle false).
 */
class PyTorchTrainingTest {
    static final Path DIR = Path.of("src/test/resources/pytorch");

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
    void theJvmBackendTrainsAsPyTorch(String fixture) throws IOException {
        trainsAsPyTorch(fixture, new JvmBackend());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void openClTrainsAsPyTorch(String fixture) throws IOException {
        assumeTrue(!"1".equals(System.getenv("DLN_SKIP_OPENCL")), "DLN_SKIP_OPENCL=1");
        List<Devices.Device> devices = Devices.list();
        assertThat(devices).as("OpenCL devices (apt-get install pocl-opencl-icd, or DLN_SKIP_OPENCL=1)").isNotEmpty();
        trainsAsPyTorch(fixture, new ClBackend(devices.get(0)));
    }

    private static void trainsAsPyTorch(String fixture, Backend backend) throws IOException {
        TrainerTest.Compiled compiled = TrainerTest.compile(Files.readString(DIR.resolve(fixture + ".dln")));
        Training t = compiled.training();
        Npy.Array x = Npy.read(DIR.resolve(fixture + ".x.npy")), targets = Npy.read(DIR.resolve(fixture + ".targets.npy"));
        int n = Math.toIntExact(x.shape()[0]);
        Dataset data = new Dataset(new long[] {x.shape()[1]}, x.data(), n, targets.shape()[1], targets.data(), false);
        try (Model m = compiled.create(backend)) {
            m.load(DIR.resolve(fixture + ".initial.safetensors"));
            Trainer.Result r = new Trainer(m, TrainerTest.settings(t, t.epochs(), null, false, null), new Trainer.Listener() {}, false)
                    .fit(Splits.of(t, data, null, t.seed()));
            float[] rates = Npy.read(DIR.resolve(fixture + ".rates.npy")).data();
            assertThat(r.log()).hasSameSizeAs(rates);
            for (int e = 0; e < rates.length; e++) {
                assertThat(r.log().get(e).lr()).as("%s: the rate of epoch %d", fixture, e).isCloseTo(rates[e], org.assertj.core.data.Percentage.withPercentage(1e-4));
            }
            List<String> wrong = new ArrayList<>();
            for (Map.Entry<String, Safetensors.Tensor> w : Safetensors.read(DIR.resolve(fixture + ".trained.safetensors")).entrySet()) {
                float[] expected = w.getValue().data(), actual = m.parameter(w.getKey());
                for (int i = 0; i < expected.length; i++) {
                    if (!(Math.abs(actual[i] - expected[i]) <= 1e-5 + 1e-4 * Math.abs(expected[i]))) {
                        wrong.add(String.format("%s[%d] %.7g, PyTorch %.7g", w.getKey(), i, actual[i], expected[i]));
                    }
                }
            }
            assertThat(wrong).as("%s: weights that differ from PyTorch's by more than 1e-5 + 1e-4·|w|", fixture).isEmpty();
        }
    }
}
