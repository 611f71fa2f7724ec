package dln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dln.net.Training;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rate per epoch of each schedule, against PyTorch's formulas worked by hand. */
class LearningRatesTest {
    static Training.Call call(String name, Object... args) {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) map.put((String) args[i], args[i + 1]);
        return new Training.Call(name, map);
    }

    @Test
    void noScheduleKeepsTheRate() {
        LearningRates s = new LearningRates(null, 0.1, 10);
        assertThat(s.rate(0)).isEqualTo(0.1);
        assertThat(s.rate(9)).isEqualTo(0.1);
    }

    @Test
    void stepMultipliesEveryFewEpochs() {
        LearningRates s = new LearningRates(call("step", "every", 4.0, "factor", 0.5), 1e-3, 12);
        assertThat(new double[] {s.rate(0), s.rate(3), s.rate(4), s.rate(7), s.rate(8), s.rate(11)})
                .containsExactly(new double[] {1e-3, 1e-3, 5e-4, 5e-4, 2.5e-4, 2.5e-4}, within(1e-15));
    }

    @Test
    void exponentialMultipliesEveryEpoch() {
        LearningRates s = new LearningRates(call("exponential", "gamma", 0.9), 0.1, 5);
        assertThat(s.rate(0)).isEqualTo(0.1);
        assertThat(s.rate(2)).isCloseTo(0.081, within(1e-15));
    }

    @Test
    void cosineFallsFromTheRateTowardsTheMinimum() {
        LearningRates s = new LearningRates(call("cosine", "min_lr", 0.0), 0.1, 4);
        assertThat(s.rate(0)).isEqualTo(0.1);
        assertThat(s.rate(2)).isCloseTo(0.05, within(1e-12));
        assertThat(s.rate(3)).isCloseTo(0.1 * (1 + Math.cos(Math.PI * 3 / 4)) / 2, within(1e-12));
        LearningRates floor = new LearningRates(call("cosine", "min_lr", 0.01), 0.1, 4);
        assertThat(floor.rate(2)).isCloseTo(0.055, within(1e-12));
    }

    @Test
    void plateauCutsTheRateAfterPatienceEpochsWithoutImprovement() {
        LearningRates s = new LearningRates(call("plateau", "factor", 0.5, "patience", 1.0), 0.1, 20);
        s.observe(1.0);                 // best
        assertThat(s.rate(1)).isEqualTo(0.1);
        s.observe(1.0);                 // 1 bad epoch: within patience
        assertThat(s.rate(2)).isEqualTo(0.1);
        s.observe(0.99995);             // below the 1e-4 relative threshold: still bad, 2 > 1
        assertThat(s.rate(3)).isEqualTo(0.05);
        s.observe(0.5);                 // improves
        s.observe(0.6);
        assertThat(s.rate(5)).isEqualTo(0.05);
    }

    @Test
    void plateauStateSurvivesARestore() {
        LearningRates s = new LearningRates(call("plateau", "factor", 0.5, "patience", 0.0), 0.1, 20);
        s.observe(1.0);
        s.observe(2.0);
        LearningRates t = new LearningRates(call("plateau", "factor", 0.5, "patience", 0.0), 0.1, 20);
        t.restore(s.state());
        assertThat(t.rate(2)).isEqualTo(0.05);
        t.observe(3.0);
        assertThat(t.rate(3)).isEqualTo(0.025);
    }

    // SequentialLR([LinearLR(start_factor=1/(W+1), total_iters=W), schedule], milestones=[W]): epoch e < W at lr·(e+1)/(W+1),
    // then the schedule from its own epoch 0, cosine over the E − W epochs left.
    @Test
    void warmupRampsLinearlyThenRunsTheScheduleFromItsStart() {
        LearningRates step = new LearningRates(call("step", "every", 2.0, "factor", 0.5, "warmup", 3L), 0.2, 8);
        assertThat(new double[] {step.rate(0), step.rate(1), step.rate(2), step.rate(3), step.rate(4), step.rate(5)})
                .containsExactly(new double[] {0.05, 0.1, 0.15, 0.2, 0.2, 0.1}, within(1e-15));
        LearningRates cosine = new LearningRates(call("cosine", "min_lr", 0.0, "warmup", 2L), 0.1, 6);
        assertThat(cosine.rate(1)).isCloseTo(0.1 * 2 / 3, within(1e-15));
        assertThat(cosine.rate(2)).isEqualTo(0.1);
        assertThat(cosine.rate(4)).isCloseTo(0.05, within(1e-12));   // epoch 2 of the schedule's 4
        LearningRates exponential = new LearningRates(call("exponential", "gamma", 0.5, "warmup", 1L), 0.1, 4);
        assertThat(new double[] {exponential.rate(0), exponential.rate(1), exponential.rate(2)}).containsExactly(new double[] {0.05, 0.1, 0.05}, within(1e-15));
    }

    // Plateau ignores the losses of warm-up epochs (a rising rate makes them no baseline), and starts from the full rate.
    @Test
    void plateauWatchesOnlyTheEpochsAfterTheWarmup() {
        LearningRates s = new LearningRates(call("plateau", "factor", 0.5, "patience", 0L, "warmup", 2L), 0.1, 10);
        s.observe(1.0);
        s.observe(2.0);                 // worse, but a warm-up epoch
        assertThat(s.rate(2)).isEqualTo(0.1);
        s.observe(3.0);                 // the first epoch watched: the best so far
        assertThat(s.rate(3)).isEqualTo(0.1);
        s.observe(3.0);                 // no improvement, patience 0
        assertThat(s.rate(4)).isEqualTo(0.05);
        LearningRates resumed = new LearningRates(call("plateau", "factor", 0.5, "patience", 0L, "warmup", 2L), 0.1, 10);
        resumed.restore(s.state());
        resumed.observe(3.0);
        assertThat(resumed.rate(5)).isEqualTo(0.025);
    }
}
