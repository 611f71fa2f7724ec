package dln.runtime.data;

import static dln.runtime.data.Fixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reads the arrays that np.save wrote (see src/test/resources/data/make_fixtures.py). */
class NpySourceTest {
    final Path inputs = fixture("inputs.npy");

    @Test void integerTargetsOfOneDimensionAreLabels() {
        Dataset d = NpySource.read(inputs, fixture("labels.npy"));
        assertThat(d.count()).isEqualTo(3);
        assertThat(d.inputShape()).containsExactly(4);
        assertThat(d.inputs()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(d.labels()).isTrue();
        assertThat(d.targets()).containsExactly(1, 0, 2);
        assertThatThrownBy(() -> d.checkLabels(2))
                .hasMessage(fixture("labels.npy") + ": index 2: label 2 is outside [0, 2): the model has 2 classes, labelled 0 to 1");
    }

    @Test void otherTargetsAreFloatRows() {
        Dataset d = NpySource.read(inputs, fixture("targets.npy"), new long[] {1, 2, 2});
        assertThat(d.inputShape()).containsExactly(1, 2, 2);
        assertThat(d.labels()).isFalse();
        assertThat(d.targetWidth()).isEqualTo(2);
        assertThat(d.targets()).containsExactly(0.5f, 1, 1.5f, 2, 2.5f, 3);
        Dataset floats = NpySource.read(inputs, fixture("float-labels.npy"));
        assertThat(floats.labels()).isFalse();
        assertThat(floats.targetWidth()).isEqualTo(1);
    }

    @Test void countsMustAgree() {
        Path targets = fixture("two-labels.npy");
        assertThatThrownBy(() -> NpySource.read(inputs, targets))
                .isInstanceOf(DataError.class)
                .hasMessage(targets + ": holds 2 targets (shape [2]), but " + inputs + " holds 3 examples (shape [3, 4])");
    }

    @Test void examplesThatDoNotFitTheModel() {
        assertThatThrownBy(() -> NpySource.read(inputs, fixture("labels.npy"), new long[] {5}))
                .hasMessage(inputs + ": each example has shape [4] (4 values), which does not fit the model's input shape [5] (5 values)");
    }

    /** Two inputs, one file each: every row packs example i's first input, then its second. */
    @Test void severalInputsPackEachExamplesInputsIntoOneRow() {
        Dataset d = NpySource.read(List.of(inputs, inputs), fixture("labels.npy"), List.of(new long[] {4}, new long[] {2, 2}));
        assertThat(d.count()).isEqualTo(3);
        assertThat(d.inputShape()).containsExactly(8);
        assertThat(d.inputs()).containsExactly(0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7, 8, 9, 10, 11, 8, 9, 10, 11);
        assertThat(d.targets()).containsExactly(1, 0, 2);
        Path short_ = fixture("two-labels.npy");
        assertThatThrownBy(() -> NpySource.read(List.of(inputs, short_), fixture("labels.npy"), List.of(new long[] {4}, new long[] {1})))
                .isInstanceOf(DataError.class)
                .hasMessage(fixture("labels.npy") + ": holds 3 targets (shape [3]), but " + short_ + " holds 2 examples (shape [2])");
    }

    // NaN or ±∞ would make the loss NaN with no word of why; so would a float64 beyond float32's
    // range, which narrowing makes infinite. Indices count from 0, as NumPy's do.
    @Test void valuesThatAreNotFiniteFloat32Numbers() {
        Path nan = fixture("nan-inputs.npy"), inf = fixture("inf-inputs.npy"), huge = fixture("huge-float64-targets.npy");
        assertThatThrownBy(() -> NpySource.read(nan, fixture("labels.npy")))
                .isInstanceOf(DataError.class)
                .hasMessage(nan + ": example 1, index [1, 2]: the value is NaN; the examples must be finite numbers"
                        + " (NumPy's np.isfinite(a).all() checks an array)");
        assertThatThrownBy(() -> NpySource.read(inf, fixture("labels.npy")))
                .hasMessageStartingWith(inf + ": example 2, index [2, 0, 1]: the value is +Infinity, or a number beyond float32's range");
        assertThatThrownBy(() -> NpySource.read(inputs, huge))
                .hasMessage(huge + ": example 2, index [2, 1]: the value is -Infinity, or a number beyond float32's range (±3.4028235e38)"
                        + " that became infinite in float32; the targets must be finite numbers (NumPy's np.isfinite(a).all() checks an array)");
        assertThatThrownBy(() -> NpySource.read(List.of(inputs, nan), fixture("labels.npy"), List.of(new long[] {4}, new long[] {4})))
                .hasMessageStartingWith(nan + ": example 1, index [1, 2]: the value is NaN");
    }

    @Test void aMissingFile() {
        Path missing = inputs.resolveSibling("missing.npy");
        assertThatThrownBy(() -> NpySource.read(missing, inputs)).isInstanceOf(DataError.class).hasMessage(missing + ": no such file");
    }
}
