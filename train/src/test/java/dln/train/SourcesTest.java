package dln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dln.net.Training;
import dln.runtime.Model;
import dln.runtime.data.DataError;
import dln.runtime.data.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Targets fitted to the model (one-hot rows to labels and back, labels checked) and sources read from elsewhere. */
class SourcesTest {
    @TempDir Path dir;

    static Model.Info info(boolean labels, long outputs) {
        return new Model.Info("M", List.of("x"), List.of(new long[] {2}), List.of(false), List.of("y"), List.of("out:y"),
                List.of(new long[] {outputs}), true, labels, labels ? "cross_entropy" : "mse", "sgd", 0.1, "m.dln", null);
    }

    static Dataset data(long width, boolean labels, float... targets) {
        int n = (int) (targets.length / width);
        return new Dataset(new long[] {2}, new float[n * 2], n, width, targets, labels, i -> "data.csv:" + (i + 2));
    }

    @Test
    void oneHotRowsBecomeClassIndices() {
        Dataset d = Sources.fit(data(3, false, 0, 1, 0, 0, 0, 1, 1, 0, 0), info(true, 3));
        assertThat(d.labels()).isTrue();
        assertThat(d.targets()).containsExactly(1, 2, 0);
    }

    @Test
    void oneNumberPerExampleIsALabelAndIsChecked() {
        assertThat(Sources.fit(data(1, false, 2, 0), info(true, 3)).labels()).isTrue();
        assertThatThrownBy(() -> Sources.fit(data(1, true, 0, 1, 3), info(true, 3)))
                .isInstanceOf(DataError.class).hasMessage("data.csv:4: label 3 is outside [0, 3): the model has 3 classes, labelled 0 to 2");
        assertThatThrownBy(() -> Sources.fit(data(2, false, 0, 1), info(true, 3)))
                .isInstanceOf(DataError.class).hasMessageStartingWith("data.csv:2: the targets have 2 values per example, but the model has 3 classes");
    }

    @Test
    void labelsBecomeOneHotRowsForOtherLosses() {
        Dataset d = Sources.fit(data(1, true, 2, 0), info(false, 3));
        assertThat(d.labels()).isFalse();
        assertThat(d.targets()).containsExactly(0, 0, 1, 1, 0, 0);
        assertThat(Sources.fit(data(1, true, 1, 0), info(false, 1)).targets()).containsExactly(1, 0);
        assertThatThrownBy(() -> Sources.fit(data(2, false, 1, 0), info(false, 3)))
                .isInstanceOf(DataError.class).hasMessageContaining("the targets have 2 values per example, but output `y` has shape [3]");
    }

    /** `targets inputs`: each example's inputs become its targets, whatever the source had, and fit an output of the input's size. */
    @Test
    void inputsBecomeTheTargets() {
        Dataset d = new Dataset(new long[] {2}, new float[] {1, 2, 3, 4, 5, 6}, 3, 0, new float[0], false);
        Dataset own = Sources.fit(Sources.inputsAsTargets(d), info(false, 2));
        assertThat(own.targetWidth()).isEqualTo(2);
        assertThat(own.labels()).isFalse();
        assertThat(own.targets()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(Sources.inputsAsTargets(data(1, true, 2, 0)).targets()).containsExactly(0, 0, 0, 0);
        assertThat(own.targets()).as("float inputs stay the dataset's own").isNotSameAs(d.inputs());
        float[] table = new float[256];
        for (int b = 0; b < 256; b++) table[b] = b / 255f;
        Dataset bytes = new Dataset(new long[] {2}, new dln.runtime.data.Values.Bytes(new byte[] {0, 1, (byte) 255, 7}, table), 2, 0, new float[0], false,
                i -> "images.idx: image " + i);
        assertThat(Sources.inputsAsTargets(bytes).targets()).containsExactly(0, 1 / 255f, 1, 7 / 255f);
        assertThatThrownBy(() -> Sources.fit(Sources.inputsAsTargets(d), info(false, 3)))
                .isInstanceOf(DataError.class).hasMessageContaining("the targets have 2 values per example, but output `y` has shape [3]");
    }

    @Test
    void aSourceIsReadFromElsewhere() throws Exception {
        Training.Source csv = new Training.Source("csv", Map.of("path", "data/train.csv", "header", false));
        assertThat(Sources.relocate(csv, dir.resolve("other.csv")).args()).containsEntry("path", dir.resolve("other.csv").toString())
                .containsEntry("header", false);
        Training.Source idx = new Training.Source("idx", Map.of("images", "/usr/share/x/train-images.gz", "labels", "/usr/share/x/train-labels.gz"));
        assertThat(Sources.relocate(idx, dir).args()).containsEntry("images", dir.resolve("train-images.gz").toString());
        Files.writeString(dir.resolve("f"), "");
        assertThatThrownBy(() -> Sources.relocate(idx, dir.resolve("f"))).isInstanceOf(DataError.class)
                .hasMessageContaining("idx data is two files, train-images.gz and train-labels.gz: give the folder that holds them");
        Training.Source images = new Training.Source("idx", Map.of("images", "/usr/share/x/train-images.gz"));
        assertThat(Sources.relocate(images, dir).args()).containsOnlyKeys("images").containsEntry("images", dir.resolve("train-images.gz").toString());
        assertThatThrownBy(() -> Sources.relocate(images, dir.resolve("f"))).isInstanceOf(DataError.class)
                .hasMessageContaining("idx data is the file train-images.gz: give the folder that holds it");
    }

    /** Each output's targets file is fitted to its output and loss, then packed one after another per example, in output order. */
    @Test
    void severalOutputsPackEachOutputsTargetsPerExample() throws Exception {
        TrainerTest.Compiled c = TrainerTest.compile("""
                model Heads {
                    input x: [2]
                    output kind = x -> dense(3) -> softmax
                    output size = x -> dense(2)
                }
                train Heads {
                    data      npy(inputs: "x.npy", targets: ["kind.npy", "size.npy"])
                    loss      kind: cross_entropy, size: mse
                    optimizer sgd(lr: 0.1)
                }
                """);
        assertThat(c.training().losses()).extracting(Training.OutputLoss::output, Training.OutputLoss::loss, Training.OutputLoss::weight)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("kind", "cross_entropy", 1.0), org.assertj.core.groups.Tuple.tuple("size", "mse", 1.0));
        dln.runtime.io.Npy.write(dir.resolve("x.npy"), new dln.runtime.io.Npy.Array(new long[] {2, 2}, new float[] {1, 2, 3, 4}, false));
        // one-hot rows for the classifier become class indices; the regression keeps its rows
        dln.runtime.io.Npy.write(dir.resolve("kind.npy"), new dln.runtime.io.Npy.Array(new long[] {2, 3}, new float[] {0, 0, 1, 1, 0, 0}, false));
        dln.runtime.io.Npy.write(dir.resolve("size.npy"), new dln.runtime.io.Npy.Array(new long[] {2, 2}, new float[] {5, 6, 7, 8}, false));
        try (Model m = c.create()) {
            Dataset d = Sources.read(c.training().data(), dir, c.training(), m.info());
            assertThat(d.targetWidth()).isEqualTo(m.targetWidth()).isEqualTo(3);
            assertThat(m.targetWidths()).containsExactly(1L, 2L);
            assertThat(d.targets()).containsExactly(2, 5, 6, 0, 7, 8);
        }
    }
}
