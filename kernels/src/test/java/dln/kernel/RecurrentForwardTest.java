package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RecurrentForwardTest {
    private static final float OTHER_HALF = 7;

    /**
     * rnn (tanh, and each other activation once), lstm, gru; H below, inside and above one work-group
     * of 256; the reverse direction of a bidirectional layer at an odd H.
     */
    static Stream<Arguments> kernels() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (int h : new int[] {3, 17, 300}) {
            for (boolean sequences : new boolean[] {false, true}) {
                for (String kind : new String[] {"tanh", "lstm", "gru"}) b.add(Arguments.of(kind, h, sequences, false));
            }
        }
        for (String act : new String[] {"relu", "sigmoid", "linear"}) b.add(Arguments.of(act, 17, true, false));
        for (boolean sequences : new boolean[] {false, true}) {
            for (String kind : new String[] {"tanh", "lstm", "gru"}) b.add(Arguments.of(kind, 17, sequences, true));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}, H = {1}, sequences {2}, reverse {3}") @MethodSource("kernels")
    void openClMatchesTheJvm(String kind, int h, boolean sequences, boolean reverse) {
        Random r = new Random(h * 7 + kind.hashCode());
        RecurrentLayer layer = Recurrents.layer(kind, h, sequences, reverse, r);
        boolean lstm = layer.cell == RecurrentCell.LSTM;
        for (int batch : new int[] {1, 37}) {
            int t = layer.t, gh = layer.gh;
            float[] xproj = KernelCheck.random(r, batch * t * gh, 1);
            // NaN where the kernel must write, so that a missed element cannot pass; the other direction's half of y holds 7
            float[] y = Recurrents.nans(layer.ySize(batch));
            for (int i = 0; i < y.length; i++) if (reverse && i % (2 * h) < h) y[i] = OTHER_HALF;
            float[][] out = KernelCheck.sameOnOpenCl(layer.forward, batch, 0, 1e-4, xproj, layer.weightHh, layer.biasHh,
                    Recurrents.nans(batch * t * h), lstm ? Recurrents.nans(layer.cellsSize(batch)) : new float[1],
                    Recurrents.nans(batch * t * layer.sh), y);
            for (int b = 3; b <= 5; b++) {
                if (b == 4 && !lstm) continue;
                for (float v : out[b]) assertThat(v).as(layer.forward.args().get(b)).isFinite();
            }
            for (int i = 0; i < out[6].length; i++) {
                if (!reverse || i % (2 * h) >= h) assertThat(out[6][i]).as("y[%d]", i).isFinite().isNotEqualTo(OTHER_HALF);
                else assertThat(out[6][i]).as("y[%d], the forward direction's", i).isEqualTo(OTHER_HALF);
            }
        }
    }

    @Test void hprevHoldsThePreviousHiddenStateAndTheLastIsTheOutput() {
        RecurrentLayer layer = new RecurrentLayer("hprev", RecurrentCell.LSTM, null, true, false, 2, 3, 2, 5, new Random(3));
        float[] x = KernelCheck.random(new Random(4), 2 * 3 * 2, 1);
        RecurrentLayer.Pass p = layer.forward(x);
        for (int n = 0; n < 2; n++) {
            for (int j = 0; j < 5; j++) {
                assertThat(p.hprev()[(n * 3) * 5 + j]).isZero();
                assertThat(p.cells()[(n * 4) * 5 + j]).isZero();
                for (int t = 1; t < 3; t++) assertThat(p.hprev()[(n * 3 + t) * 5 + j]).isEqualTo(p.y()[(n * 3 + t - 1) * 5 + j]);
            }
        }
    }

    /**
     * One LSTM unit, one step, xproj = [0.5, -1, 2, 0] (i, f, g, o) and bias_hh = [0, 0, -1, 0]; h_{-1} = 0, so
     * weight_hh adds nothing and the pre-activations are z = [0.5, -1, 1, 0]:
     *   i = σ(0.5) = 0.622459, f = σ(-1) = 0.268941, g = tanh(1) = 0.761594, o = σ(0) = 0.5
     *   c = f·0 + i·g = 0.474061, h = o·tanh(c) = 0.5 · 0.441475 = 0.220737
     */
    @Test void lstmStepByHand() {
        float[] xproj = {0.5f, -1, 2, 0}, weightHh = {9, 9, 9, 9}, biasHh = {0, 0, -1, 0};
        float[] hprev = {Float.NaN}, cells = {Float.NaN, Float.NaN}, gates = new float[4], y = {Float.NaN};
        float[][] out = KernelCheck.sameOnOpenCl(new RecurrentForward("lstm_by_hand", RecurrentCell.LSTM, 1, 1, null, false, false, false), 1, 0, 1e-6,
                xproj, weightHh, biasHh, hprev, cells, gates, y);
        assertThat(out[3]).containsExactly(0f);
        assertThat(out[4][0]).isZero();
        assertThat(out[4][1]).isCloseTo(0.474061f, within(1e-6f));
        assertThat(out[5]).containsExactly(new float[] {0.622459f, 0.268941f, 0.761594f, 0.5f}, within(1e-6f));
        assertThat(out[6][0]).isCloseTo(0.220737f, within(1e-6f));
    }

    /**
     * One GRU unit, one step, xproj = [0.5, -1, 2] (r, z, n) and bias_hh = [0, 0, -1]; h_{-1} = 0, so
     * weight_hh adds nothing and W_hn·h + b_hn = -1, which r scales:
     *   r = σ(0.5) = 0.622459, z = σ(-1) = 0.268941, n = tanh(2 + r·(-1)) = tanh(1.377541) = 0.880399
     *   h = (1 - z)·n + z·0 = 0.643624
     */
    @Test void gruStepByHand() {
        float[] xproj = {0.5f, -1, 2}, weightHh = {9, 9, 9}, biasHh = {0, 0, -1};
        float[] hprev = {Float.NaN}, cells = {0}, gates = new float[4], y = {Float.NaN}; // a gru has no cells
        float[][] out = KernelCheck.sameOnOpenCl(new RecurrentForward("gru_by_hand", RecurrentCell.GRU, 1, 1, null, false, false, false), 1, 0, 1e-6,
                xproj, weightHh, biasHh, hprev, cells, gates, y);
        assertThat(out[3]).containsExactly(0f);
        assertThat(out[5]).containsExactly(new float[] {0.622459f, 0.268941f, 0.880399f, -1f}, within(1e-6f));
        assertThat(out[6][0]).isCloseTo(0.643624f, within(1e-6f));
    }
}
