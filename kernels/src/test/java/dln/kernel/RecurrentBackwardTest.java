package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RecurrentBackwardTest {

    @ParameterizedTest(name = "{0}, H = {1}, sequences {2}, reverse {3}") @MethodSource("dln.kernel.RecurrentForwardTest#kernels")
    void openClMatchesTheJvm(String kind, int h, boolean sequences, boolean reverse) {
        Random r = new Random(h * 11 + kind.hashCode());
        RecurrentLayer layer = Recurrents.layer(kind, h, sequences, reverse, r);
        boolean gru = layer.cell == RecurrentCell.GRU;
        for (int batch : new int[] {1, 37}) {
            int t = layer.t, gh = layer.gh;
            float[] hprev = new float[batch * t * h], cells = new float[layer.cellsSize(batch)], gates = new float[batch * t * layer.sh];
            float[] y = new float[layer.ySize(batch)];
            layer.forward.reference(batch, 0, new float[][] {KernelCheck.random(r, batch * t * gh, 1), layer.weightHh, layer.biasHh, hprev, cells, gates, y});
            float[][] in = {layer.weightHh, hprev, cells, gates, KernelCheck.random(r, y.length, 1), Recurrents.nans(batch * t * gh), Recurrents.nans(batch * t * gh)};
            float[][] out = KernelCheck.sameOnOpenCl(layer.backward, batch, 0, 1e-4, gru ? in : Arrays.copyOf(in, 6));
            for (int b = 5; b < out.length; b++) for (float v : out[b]) assertThat(v).as(layer.backward.args().get(b)).isFinite();
        }
    }

    /**
     * The step of {@link RecurrentForwardTest#lstmStepByHand} (i = 0.622459, f = 0.268941, g = 0.761594,
     * o = 0.5, c_{-1} = 0, c = 0.474061, tanh(c) = 0.441475) backward from dy = 1:
     *   dc   = dy·o·(1 - tanh²(c)) = 0.5 · (1 - 0.194900) = 0.402550
     *   dz_i = dc·g·i·(1 - i) = 0.072047      dz_f = dc·c_{-1}·f·(1 - f) = 0
     *   dz_g = dc·i·(1 - g²) = 0.105233       dz_o = dy·tanh(c)·o·(1 - o) = 0.110369
     */
    @Test void lstmStepByHand() {
        float[] gates = {0.622459f, 0.268941f, 0.761594f, 0.5f}, cells = {0, 0.474061f}, dy = {1};
        float[][] out = KernelCheck.sameOnOpenCl(new RecurrentBackward("lstm_backward_by_hand", RecurrentCell.LSTM, 1, 1, null, false, false, false), 1, 0, 1e-6,
                new float[] {9, 9, 9, 9}, new float[] {0}, cells, gates, dy, Recurrents.nans(4));
        assertThat(out[5]).containsExactly(new float[] {0.072047f, 0f, 0.105233f, 0.110369f}, within(2e-6f));
    }

    /**
     * The step of {@link RecurrentForwardTest#gruStepByHand} (r = 0.622459, z = 0.268941, n = 0.880399,
     * W_hn·h + b_hn = -1, h_{-1} = 0) backward from dy = 1:
     *   dz_n = dy·(1 - z)·(1 - n²) = 0.164413    dz_z = dy·(h_{-1} - n)·z·(1 - z) = -0.173097
     *   dz_r = dz_n·(-1)·r·(1 - r) = -0.038638
     * and on the hidden side the n gate's gradient is scaled by r: dhh_n = dz_n·r = 0.102340.
     */
    @Test void gruStepByHand() {
        float[] gates = {0.622459f, 0.268941f, 0.880399f, -1f}, dy = {1};
        float[][] out = KernelCheck.sameOnOpenCl(new RecurrentBackward("gru_backward_by_hand", RecurrentCell.GRU, 1, 1, null, false, false, false), 1, 0, 1e-6,
                new float[] {9, 9, 9}, new float[] {0}, new float[1], gates, dy, Recurrents.nans(3), Recurrents.nans(3));
        assertThat(out[5]).containsExactly(new float[] {-0.038638f, -0.173097f, 0.164413f}, within(2e-6f));
        assertThat(out[6]).containsExactly(new float[] {-0.038638f, -0.173097f, 0.102340f}, within(2e-6f));
    }
}
