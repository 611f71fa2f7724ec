package dln.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatasetTest {
    /** Four examples of shape [2] with labels 3, 1, 0, 2; example i is {10i, 10i + 1}. */
    private static Dataset four() {
        return new Dataset(new long[] {2}, new float[] {0, 1, 10, 11, 20, 21, 30, 31}, 4, 1, new float[] {3, 1, 0, 2}, true,
                i -> "four.csv:" + (i + 2));
    }

    @Test void sliceCopiesARangeAndKeepsWhereEachExampleCameFrom() {
        Dataset d = four().slice(1, 3);
        assertThat(d.count()).isEqualTo(2);
        assertThat(d.inputs()).containsExactly(10, 11, 20, 21);
        assertThat(d.targets()).containsExactly(1, 0);
        assertThat(d.origin().apply(0)).isEqualTo("four.csv:3");
        assertThat(four().slice(2, 2).count()).isZero();
    }

    @Test void selectGathersInTheGivenOrder() {
        Dataset d = four().select(new int[] {3, 0, 3});
        assertThat(d.inputs()).containsExactly(30, 31, 0, 1, 30, 31);
        assertThat(d.targets()).containsExactly(2, 3, 2);
        assertThat(d.origin().apply(1)).isEqualTo("four.csv:2");
        assertThat(d.label(0)).isEqualTo(2);
    }

    /**
     * A pick is a select whose inputs are not copied: the same examples, targets and origins, whether
     * the values are floats or bytes, and whatever is taken from it afterwards (a slice, a select, a
     * pick of the pick, rows copied across its row boundaries) is what the select's would give.
     */
    @Test void pickIsSelectWithoutTheCopy() {
        byte[] raw = {0, 1, 10, 11, 20, 21, 30, 31};
        float[] table = new float[256];
        for (int b = 0; b < 256; b++) table[b] = b * 0.5f;
        Dataset bytes = new Dataset(new long[] {2}, new Values.Bytes(raw, table), 4, 1, new float[] {3, 1, 0, 2}, true, i -> "four.idx:" + i);
        int[] order = {3, 0, 2};
        for (Dataset data : new Dataset[] {four(), bytes}) {
            Dataset picked = data.pick(order), selected = data.select(order);
            assertThat(picked.values()).isInstanceOf(Values.Picked.class);
            assertThat(((Values.Picked) picked.values()).base()).isSameAs(data.values());
            assertThat(picked).isEqualTo(selected);
            assertThat(picked.origin().apply(1)).isEqualTo(selected.origin().apply(1));
            assertThat(picked.slice(1, 3)).isEqualTo(selected.slice(1, 3));
            assertThat(picked.slice(1, 3).values()).isInstanceOf(data.values().getClass());
            assertThat(picked.select(new int[] {2, 2, 0})).isEqualTo(selected.select(new int[] {2, 2, 0}));
            Dataset twice = picked.pick(new int[] {2, 0});
            assertThat(((Values.Picked) twice.values()).base()).as("a pick of a pick picks from the data").isSameAs(data.values());
            assertThat(twice).isEqualTo(selected.select(new int[] {2, 0}));
            float[] across = new float[5], want = new float[5];
            picked.values().copy(1, across, 0, 5);
            selected.values().copy(1, want, 0, 5);
            assertThat(across).containsExactly(want);
            assertThat(picked.values().range(1, 4).floats()).containsExactly(selected.values().range(1, 4).floats());
        }
        assertThatThrownBy(() -> four().pick(new int[] {4})).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test void selectAndSliceRejectIndicesOutside() {
        assertThatThrownBy(() -> four().select(new int[] {4})).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> four().slice(3, 5)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test void classesIsTheLargestLabelPlusOneOrTheTargetWidth() {
        assertThat(four().classes()).isEqualTo(4);
        Dataset oneHot = new Dataset(new long[] {1}, new float[] {0, 1}, 2, 3, new float[] {1, 0, 0, 0, 0, 1}, false);
        assertThat(oneHot.classes()).isEqualTo(3);
    }

    @Test void checkLabelsNamesTheFirstLabelOutsideTheClasses() {
        assertThat(four().checkLabels(4)).isEqualTo(four());
        assertThatThrownBy(() -> four().checkLabels(3))
                .isInstanceOf(DataError.class)
                .hasMessage("four.csv:2: label 3 is outside [0, 3): the model has 3 classes, labelled 0 to 2");
        Dataset negative = new Dataset(new long[] {1}, new float[] {0}, 1, 1, new float[] {-1}, true);
        assertThatThrownBy(() -> negative.checkLabels(2))
                .hasMessage("example 0: label -1 is outside [0, 2): the model has 2 classes, labelled 0 to 1");
    }

    @Test void checkLabelsWantsOneHotRowsAsWideAsTheClasses() {
        Dataset oneHot = new Dataset(new long[] {1}, new float[] {0}, 1, 3, new float[] {1, 0, 0}, false);
        assertThat(oneHot.checkLabels(3)).isSameAs(oneHot);
        assertThatThrownBy(() -> oneHot.checkLabels(10))
                .hasMessage("example 0: the targets have 3 values per example, but the model has 10 classes;"
                        + " give one class index per example, or one-hot rows of 10 values");
    }

    @Test void theArraysMustMatchTheShapes() {
        assertThatThrownBy(() -> new Dataset(new long[] {2}, new float[3], 2, 1, new float[2], true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need 4 input values, not 3");
        assertThatThrownBy(() -> new Dataset(new long[] {2}, new float[4], 2, 2, new float[4], true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labels have width 1");
    }

    @Test void equalByContentNotByOrigin() {
        Dataset a = four(), b = new Dataset(a.inputShape(), a.inputs().clone(), 4, 1, a.targets().clone(), true);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(a.slice(0, 3));
        assertThat(a).hasToString("Dataset(4 × [2] -> labels)");
    }
}
