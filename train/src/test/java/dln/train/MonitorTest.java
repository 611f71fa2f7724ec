package dln.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Early stopping as Keras does it: patience, min_delta, and the direction of each quantity. */
class MonitorTest {
    @Test
    void stopsAfterPatienceEpochsWithoutImprovement() {
        Monitor m = new Monitor("val_loss", 0, 2);
        assertThat(m.update(0, 1.0)).isTrue();
        assertThat(m.stop()).isFalse();
        assertThat(m.update(1, 1.1)).isFalse();
        assertThat(m.stop()).isFalse();
        assertThat(m.update(2, 1.0)).isFalse();       // equal is no improvement
        assertThat(m.stop()).isTrue();
        assertThat(m.bestEpoch()).isZero();
    }

    @Test
    void accuracyShouldRiseAndMinDeltaCounts() {
        Monitor m = new Monitor("val_accuracy", 0.01, 1);
        m.update(0, 0.90);
        assertThat(m.update(1, 0.905)).as("less than min_delta better").isFalse();
        assertThat(m.stop()).isTrue();
        Monitor n = new Monitor("val_accuracy", 0.01, 1);
        n.update(0, 0.90);
        assertThat(n.update(1, 0.92)).isTrue();
        assertThat(n.stop()).isFalse();
    }

    @Test
    void patienceZeroStopsAtTheFirstEpochThatDoesNotImprove() {
        Monitor m = new Monitor("loss", 0, 0);
        m.update(0, 2);
        assertThat(m.stop()).isFalse();
        m.update(1, 1);
        assertThat(m.stop()).isFalse();
        m.update(2, 1.5);
        assertThat(m.stop()).isTrue();
        assertThat(m.bestEpoch()).isEqualTo(1);
    }

    @Test
    void withoutPatienceItOnlyTracksTheBest() {
        Monitor m = new Monitor("loss", 0, -1);
        for (int e = 0; e < 10; e++) m.update(e, e == 3 ? 0.1 : 1);
        assertThat(m.stop()).isFalse();
        assertThat(m.bestEpoch()).isEqualTo(3);
        assertThat(m.update(10, Double.NaN)).isFalse();
    }
}
