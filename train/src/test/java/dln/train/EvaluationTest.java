package dln.train;

import static org.assertj.core.api.Assertions.assertThat;

import dln.runtime.Model;
import dln.runtime.data.Dataset;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Evaluation in chunks (a few thousand examples converted to floats at a time) is evaluation in one go. */
class EvaluationTest {
    @Test void chunksGiveTheLossAccuracyAndConfusionOfOneCall() {
        int n = 10_001;   // three chunks, the last one short
        Random r = new Random(2);
        float[] x = new float[n * 16], y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(3);
            for (int k = 0; k < 16; k++) x[i * 16 + k] = (float) r.nextGaussian();
        }
        Dataset data = new Dataset(new long[] {1, 4, 4}, x, n, 1, y, true);
        try (Model m = TrainerTest.TINY_MODEL.create()) {
            m.initialize(5);
            Evaluation e = Evaluation.of(m, data, List.of("accuracy"), true);
            m.takeMetrics();
            m.evaluate(n, y, x);
            Model.Metrics whole = m.takeMetrics();
            assertThat(e.values().get("loss")).isEqualTo(whole.loss());
            assertThat(e.values().get("accuracy")).isEqualTo(whole.accuracy());
            float[] p = m.predict(n, x)[0];
            long[][] want = new long[3][3];
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int k = 1; k < 3; k++) if (p[i * 3 + k] > p[i * 3 + best]) best = k;
                want[(int) y[i]][best]++;
            }
            assertThat(e.confusion()).isDeepEqualTo(want);
        }
    }
}
