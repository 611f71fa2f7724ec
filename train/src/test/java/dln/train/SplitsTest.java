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
