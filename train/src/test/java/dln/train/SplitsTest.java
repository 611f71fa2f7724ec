package dln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dln.net.Training;
import dln.runtime.data.DataError;
import dln.runtime.data.Dataset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Validation fractions and three-way splits: sizes, no example lost or repeated, the same split for the same seed. */
class SplitsTest {
    static Dataset numbered(int n) {
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) x[i] = y[i] = i;
        return new Dataset(new long[] {1}, x, n, 1, y, false);
    }

    static Training training(Double validation, Training.Split split) {
        return new Training("M", null, null, validation, split, List.of(new Training.OutputLoss("y", "mse", 1)), null, null, null, 0, 0, null, 32, 10, 0, true, List.of(), null,
                null, List.of(), null, null);
    }

    @Test
    void aSplitCutsOneSourceInThree() {
        Splits s = Splits.of(training(null, new Training.Split(0.7, 0.15, 0.15)), numbered(1797), null, 1);
        assertThat(s.validation().count()).isEqualTo(270);
        assertThat(s.test().count()).isEqualTo(270);
        assertThat(s.train().count()).isEqualTo(1797 - 540);
        Set<Float> seen = new HashSet<>();
        for (Dataset d : List.of(s.train(), s.validation(), s.test())) for (float v : d.inputs()) assertThat(seen.add(v)).isTrue();
        assertThat(seen).hasSize(1797);
    }

    @Test
    void aValidationFractionIsHeldOutAfterASeededShuffle() {
        Splits a = Splits.of(training(0.1, null), numbered(100), numbered(7), 5);
        assertThat(a.train().count()).isEqualTo(90);
        assertThat(a.validation().count()).isEqualTo(10);
        assertThat(a.test().count()).isEqualTo(7);
        Splits b = Splits.of(training(0.1, null), numbered(100), null, 5);
        assertThat(b.validation()).isEqualTo(a.validation());
        Splits c = Splits.of(training(0.1, null), numbered(100), null, 6);
        assertThat(c.validation()).isNotEqualTo(a.validation());
        assertThat(a.validation().inputs()).isNotEqualTo(numbered(100).slice(90, 100).inputs());
    }

    /**
     * `targets inputs`: the inputs become each part's targets after the split (the whole source's
     * are never made), the same parts as when the targets were made first and then split.
     */
    @Test
    void inputsBecomeEachPartsTargetsAfterTheSplit(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        int n = 40;
        java.io.ByteArrayOutputStream idx = new java.io.ByteArrayOutputStream();
        idx.writeBytes(new byte[] {0, 0, 8, 2, 0, 0, 0, (byte) n, 0, 0, 0, 2});
        for (int i = 0; i < 2 * n; i++) idx.write(i * 3);
        java.nio.file.Files.write(dir.resolve("x.idx"), idx.toByteArray());
        Training t = new Training("M", new Training.Source("idx", java.util.Map.of("images", "x.idx", "scale", 0.5)), null, 0.25, null,
                List.of(new Training.OutputLoss("y", "mse", 1)), null, null, null, 0, 0, null, 32, 10, 0, true, List.of(), null, null, List.of(),
                "inputs", null);
        dln.runtime.Model.Info info = SourcesTest.info(false, 2);
        Splits s = Splits.load(t, dir, info, null, null, 3);
        assertThat(s.train().count()).isEqualTo(30);
        for (Dataset part : List.of(s.train(), s.validation())) {
            assertThat(part.targetWidth()).isEqualTo(2);
            assertThat(part.targets()).containsExactly(part.inputs());
        }
        assertThat(s).isEqualTo(Splits.of(t, Splits.read(t, t.data(), dir, info), null, 3));
    }

    @Test
    void withoutValidationEverythingTrains() {
        Splits s = Splits.of(training(null, null), numbered(10), null, 0);
        assertThat(s.train().count()).isEqualTo(10);
        assertThat(s.validation()).isNull();
        assertThat(s.test()).isNull();
    }

    @Test
    void tooFewExamplesToSplitIsAnError() {
        assertThatThrownBy(() -> Splits.of(training(null, new Training.Split(0.2, 0.4, 0.4)), numbered(2), null, 0))
                .isInstanceOf(DataError.class).hasMessageContaining("2 examples: too few");
    }
}
