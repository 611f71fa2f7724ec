package dln.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Lists as the compiler hands them over: numbers as Double, lists as List. */
class InlineTest {
    private static final List<Object> XOR = List.of(List.of(0.0, 0.0), List.of(0.0, 1.0), List.of(1.0, 0.0), List.of(1.0, 1.0));

    @Test void xorWithTargetRows() {
        Dataset d = Inline.of(XOR, List.of(List.of(0.0), List.of(1.0), List.of(1.0), List.of(0.0)), new long[] {2});
        assertThat(d.count()).isEqualTo(4);
        assertThat(d.inputs()).containsExactly(0, 0, 0, 1, 1, 0, 1, 1);
        assertThat(d.labels()).isFalse();
        assertThat(d.targetWidth()).isEqualTo(1);
        assertThat(d.targets()).containsExactly(0, 1, 1, 0);
    }

    @Test void wholeScalarTargetsAreLabels() {
        Dataset d = Inline.of(XOR, List.of(0.0, 1.0, 1.0, 0.0), null);
        assertThat(d.labels()).isTrue();
        assertThat(d.inputShape()).containsExactly(2);
        assertThat(d.classes()).isEqualTo(2);
        assertThatThrownBy(() -> d.checkLabels(1))
                .hasMessage("inline target 2: label 1 is outside [0, 1): the model has 1 class, labelled 0 to 0");
        assertThat(Inline.of(XOR, List.of(0.0, 0.5, 1.0, 0.0), null).labels()).isFalse();
    }

    @Test void nestedInputsTakeTheModelsShape() {
        List<Object> image = List.of(List.of(List.of(1.0, 2.0), List.of(3.0, 4.0)));
        Dataset d = Inline.of(List.of(image), List.of(1.0), new long[] {4});
        assertThat(d.inputShape()).containsExactly(4);
        assertThat(d.inputs()).containsExactly(1, 2, 3, 4);
    }

    @Test void mistakes() {
        assertThatThrownBy(() -> Inline.of(XOR, List.of(0.0, 1.0), null))
                .isInstanceOf(DataError.class).hasMessage("inline data has 4 inputs but 2 targets");
        assertThatThrownBy(() -> Inline.of(XOR, List.of(0.0, 1.0, 1.0, 0.0), new long[] {3}))
                .hasMessage("inline input 1 has shape [2] (2 values), but the model's input has shape [3] (3 values)");
        assertThatThrownBy(() -> Inline.of(List.of(List.of(List.of(1.0, 2.0), List.of(3.0))), List.of(0.0), null))
                .hasMessage("inline input 1 is not rectangular: its lists differ in length");
        assertThatThrownBy(() -> Inline.of(List.of(List.of(1.0, "a")), List.of(0.0), null))
                .hasMessage("inline input 1 holds \"a\", which is not a number");
        assertThatThrownBy(() -> Inline.of(XOR, List.of(0.0, 1.0, List.of(1.0), 0.0), null))
                .hasMessage("inline target 3 has shape [1] (1 value), but inline target 1 has shape [] (1 value)");
    }

    // The compiler refuses such literals where they are written; a program that calls Inline itself
    // gets the same check.
    @Test void valuesThatAreNotFiniteFloat32Numbers() {
        assertThatThrownBy(() -> Inline.of(List.of(List.of(0.0, 1.0), List.of(1.0, Double.NaN)), List.of(0.0, 1.0), null))
                .isInstanceOf(DataError.class).hasMessage("inline input 2, value 2: the value is NaN; the data must be finite numbers");
        assertThatThrownBy(() -> Inline.of(XOR, List.of(0.0, 1.0, -1e39, 0.0), null))
                .hasMessage("inline target 3, value 1: the value is -Infinity, or a number beyond float32's range (±3.4028235e38)"
                        + " that became infinite in float32; the data must be finite numbers");
    }
}
