package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RecurrentBackwardTest {

    @ParameterizedTest(name = "{0}, H = {1}, sequences {2}") @MethodSource("dln.kernel.RecurrentForwardTest#kernels")
    void openClMatchesTheJvm(String kind, int h, boolean sequences) {
        Random r = new Random(h * 11 + kind.hashCode());
        RecurrentLayer layer = Recurrents.layer(kind, h, sequences, r);
        for (int batch : new int[] {1, 37}) {
            int t = layer.t, gh = layer.gh;
            float[] hprev = new float[batch * t * h], cells = new float[layer.lstm ? batch * (t + 1) * h : 1], gates = new float[batch * t * gh];
            float[] y = new float[sequences ? batch * t * h : batch * h];
            layer.forward.reference(batch, 0, new float[][] {KernelCheck.random(r, batch * t * gh, 1), layer.weightHh, layer.biasHh, hprev, cells, gates, y});
            float[][] out = KernelCheck.sameOnOpenCl(layer.backward, batch, 0, 1e-4,
                    layer.weightHh, hprev, cells, gates, KernelCheck.random(r, y.length, 1), Recurrents.nans(batch * t * gh));
            for (float v : out[5]) assertThat(v).as("dgates").isFinite();
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
        float[][] out = KernelCheck.sameOnOpenCl(new RecurrentBackward("lstm_backward_by_hand", true, 1, 1, null, false), 1, 0, 1e-6,
                new float[] {9, 9, 9, 9}, new float[] {0}, cells, gates, dy, Recurrents.nans(4));
        assertThat(out[5]).containsExactly(new float[] {0.072047f, 0f, 0.105233f, 0.110369f}, within(2e-6f));
    }
}
