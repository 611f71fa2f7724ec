package dln.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dln.cli.Dlnc;
import dln.cli.Job;
import dln.runtime.io.Safetensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * `dlnc train --master local[2]` against the one-process run: the same weights for a model
 * without dropout or batch norm, a working run with dropout, and --resume. Each run starts and
 * stops its own embedded Spark (a few seconds).
 */
class SparkTrainTest {
    static final Path DIGITS = Path.of("../samples/data/digits.csv.gz").toAbsolutePath().normalize();

    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    static Run dlnc(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Dlnc.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    /**
     * An MLP on the digits: 1257 training examples in batches of 50, so the last batch (7) splits
     * unevenly (3 and 4); Adam, whose update depends on the step count as well.
     */
    Path mlp(String name, String layers) throws IOException {
        Path p = dir.resolve(name + ".dln");
        Files.writeString(p, """
                model Mlp {
                    input image: [64]
                    output probs = image -> %s -> dense(10) -> softmax
                }
                train Mlp {
                    data      csv("%s", label_column: 64, header: false, scale: 1 / 16)
                    split     train: 0.7, validation: 0.15, test: 0.15
                    loss      cross_entropy
                    optimizer adam(lr: 3e-3)
                    batch     50
                    epochs    3
                    seed      5
                    metrics   accuracy
                }
                """.formatted(layers, DIGITS));
        return p;
    }

    static Map<String, Safetensors.Tensor> last(Path folder) throws IOException {
        return Safetensors.read(folder.resolve("last.safetensors"));
    }

    /** The largest difference between two sets of weights, relative to the largest weight. */
    static double relativeDifference(Map<String, Safetensors.Tensor> a, Map<String, Safetensors.Tensor> b) {
        assertThat(b.keySet()).isEqualTo(a.keySet());
        double diff = 0, scale = 0;
        for (String name : a.keySet()) {
            float[] x = a.get(name).data(), y = b.get(name).data();
            assertThat(y).hasSameSizeAs(x);
            for (int i = 0; i < x.length; i++) {
                diff = Math.max(diff, Math.abs(x[i] - y[i]));
                scale = Math.max(scale, Math.abs(x[i]));
            }
        }
        return diff / scale;
    }

    @Test
    void twoWorkersEndWithTheWeightsOfOneProcess() throws IOException {
        Path file = mlp("mlp", "dense(32) -> relu");
        Run one = dlnc("train", file.toString(), "--device", "java", "--checkpoint", dir.resolve("one").toString());
        assertThat(one.code()).as(one.err()).isZero();
        Run two = dlnc("train", file.toString(), "--device", "java", "--master", "local[2]", "--checkpoint", dir.resolve("two").toString());
        assertThat(two.code()).as(two.err()).isZero();
        assertThat(two.out()).contains("data parallel: 2 workers share each batch, on Spark 4.").contains("at local[2]");

        double difference = relativeDifference(last(dir.resolve("one")), last(dir.resolve("two")));
        assertThat(difference).isLessThan(1e-5);
        // The weights moved: equal weights are not equal merely because neither run trained.
        Path untrained = dir.resolve("untrained");
        Run none = dlnc("train", file.toString(), "--device", "java", "--epochs", "1", "--checkpoint", untrained.toString());
        assertThat(none.code()).isZero();
        assertThat(relativeDifference(last(dir.resolve("one")), last(untrained))).isGreaterThan(1e-3);
        // The same test accuracy, as the same model must have.
        assertThat(line(two.out(), "test accuracy")).isEqualTo(line(one.out(), "test accuracy"));
    }

    @Test
    void aResumedClusterRunEndsAsTheUninterruptedOne() throws IOException {
        Path file = mlp("mlp", "dense(16) -> relu");
        Path folder = dir.resolve("runs");
        Run first = dlnc("train", file.toString(), "--device", "java", "--master", "local[2]", "--epochs", "1", "--checkpoint", folder.toString());
        assertThat(first.code()).as(first.err()).isZero();
        Run rest = dlnc("train", file.toString(), "--device", "java", "--master", "local[2]", "--checkpoint", folder.toString(), "--resume");
        assertThat(rest.code()).as(rest.err()).isZero();
        Run whole = dlnc("train", file.toString(), "--device", "java", "--checkpoint", dir.resolve("whole").toString());
        assertThat(whole.code()).as(whole.err()).isZero();
        assertThat(relativeDifference(last(dir.resolve("whole")), last(folder))).isLessThan(1e-5);
    }

    /** Dropout and batch norm differ from one process on several workers (docs/SCALE.md), but must train as well. */
    @ParameterizedTest
    @ValueSource(strings = {"dense(64) -> relu -> dropout(0.2)", "dense(32) -> batchnorm -> relu"})
    void dropoutAndBatchNormTrainOnTwoWorkers(String layers) throws IOException {
        Path file = mlp("model", layers);
        Run two = dlnc("train", file.toString(), "--device", "java", "--master", "local[2]");
        assertThat(two.code()).as(two.err()).isZero();
        assertThat(Double.parseDouble(line(two.out(), "test accuracy"))).isGreaterThan(0.85);
    }

    /** An executor that reads another file or other data at the driver's path stops the run rather than train on something else. */
    @Test
    void anExecutorThatReadsAnotherFileThanTheDriverRefusesToTrain() throws IOException {
        Path file = mlp("mlp", "dense(16) -> relu");
        Job.Spec driver = new Job.Spec(file.toString(), null, java.util.List.of(), null, null, 5L, "java", null);
        String fingerprint = Worker.prepare(new Job.Spec(file.toString(), null, java.util.List.of(), null, null, 5L, "java",
                Job.prepare(driver, new PrintWriter(new StringWriter())).fingerprint(file.toString()))).fingerprint(file.toString());
        Files.writeString(file, Files.readString(file).replace("seed      5", "seed      6"));
        Job.Spec stale = new Job.Spec(file.toString(), null, java.util.List.of(), null, null, 5L, "java", fingerprint);
        assertThatThrownBy(() -> Worker.prepare(stale)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("an executor reads another " + file).hasMessageContaining("the driver's " + fingerprint);
    }

    /** The value after {@code "label: "} on its line of {@code out}. */
    static String line(String out, String label) {
        for (String l : out.split("\n")) if (l.startsWith(label + ": ")) return l.substring(label.length() + 2).strip();
        throw new AssertionError("no `" + label + "` line in:\n" + out);
    }
}
