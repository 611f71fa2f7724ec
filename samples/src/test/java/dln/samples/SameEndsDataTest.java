package dln.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dln.runtime.io.Npy;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The committed data of sequence_gru.dln is what data/make_ends.py says it writes: 4000 sequences
 * of 20 symbol ids in 0..7, labelled 1 exactly when the first and the last symbol are the same, half
 * of each class.
 */
class SameEndsDataTest {
    @Test
    void theLabelsSayWhetherTheEndsAreTheSame() throws IOException {
        Npy.Array x = Npy.read(ContractTest.SAMPLES.resolve("data/ends_x.npy"));
        Npy.Array y = Npy.read(ContractTest.SAMPLES.resolve("data/ends_y.npy"));
        assertThat(x.shape()).containsExactly(4000, 20);
        assertThat(x.integer()).isTrue();
        assertThat(y.shape()).containsExactly(4000);
        int[] ids = x.ints();
        int same = 0;
        for (int n = 0; n < 4000; n++) {
            for (int t = 0; t < 20; t++) assertThat(ids[n * 20 + t]).isBetween(0, 7);
            boolean ends = ids[n * 20] == ids[n * 20 + 19];
            assertThat(y.data()[n]).as("label of sequence %d", n).isEqualTo(ends ? 1f : 0f);
            if (ends) same++;
        }
        assertThat(same).isEqualTo(2000);
    }
}
