package dln.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dln.runtime.data.Dataset;
import dln.runtime.data.NpySource;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The data of transformer_encoder.dln, as data/make_first_token.py wrote it, fits the model: 16,000
 * sequences of 12 ids the embedding knows (0 to 15), labels 0 and 1 in equal numbers (chance is
 * 50%), and 1 exactly when the first id comes again.
 */
class TransformerSampleTest {
    @Test void theFirstTokenDataFitsTheModelAndItsLabelsSayWhatTheyMean() {
        Path data = ContractTest.SAMPLES.resolve("data");
        Dataset d = NpySource.read(data.resolve("first_token_ids.npy"), data.resolve("first_token_labels.npy"));
        assertThat(d.count()).isEqualTo(16_000);
        assertThat(d.inputShape()).containsExactly(12);
        assertThat(d.labels()).isTrue();
        float[] ids = d.inputs();
        int positives = 0;
        for (int n = 0; n < d.count(); n++) {
            boolean again = false;
            for (int t = 0; t < 12; t++) {
                float id = ids[n * 12 + t];
                assertThat(id).as("id %d of sequence %d", t, n).isBetween(0f, 15f).isEqualTo((float) Math.rint(id));
                again |= t > 0 && id == ids[n * 12];
            }
            assertThat(d.label(n)).as("label of sequence %d", n).isEqualTo(again ? 1 : 0);
            positives += d.label(n);
        }
        assertThat(positives).isEqualTo(8_000);
    }
}
