package dln.kernel;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The whole layer's gradients (kernels plus the compiler's Gemms) against central finite differences of loss = Σ dy·y. */
class RecurrentGradientTest {
    private static final float EPS = 1e-2f;

    static Stream<Arguments> layers() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String kind : new String[] {"tanh", "relu", "lstm", "gru"}) {
            for (int t : new int[] {1, 5}) {
                for (boolean sequences : new boolean[] {false, true}) {
                    for (boolean reverse : new boolean[] {false, true}) b.add(Arguments.of(kind, t, sequences, reverse));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}, T = {1}, sequences {2}, reverse {3}") @MethodSource("layers")
    void gradientsMatchFiniteDifferences(String kind, int t, boolean sequences, boolean reverse) {
        Random r = new Random(kind.hashCode() * 31 + t * 2 + (sequences ? 1 : 0) + (reverse ? 1000 : 0));
        RecurrentLayer layer = new RecurrentLayer("grad", Recurrents.cell(kind), Recurrents.act(kind), sequences, reverse, 2, t, 3, 4, r);
        float[] x = KernelCheck.random(r, layer.n * t * layer.f, 1);
        float[] dy = KernelCheck.random(r, layer.ySize(), 1);
        RecurrentLayer.Grads g = layer.backward(x, layer.forward(x), dy);
        check(layer, x, dy, x, g.x(), "dx");
        check(layer, x, dy, layer.weightIh, g.weightIh(), "dweight_ih");
        check(layer, x, dy, layer.weightHh, g.weightHh(), "dweight_hh");
        check(layer, x, dy, layer.biasIh, g.biasIh(), "dbias_ih");
        check(layer, x, dy, layer.biasHh, g.biasHh(), "dbias_hh");
    }

    /** Perturbs each element of {@code param} (x or a weight of the layer) in place and compares with {@code grad}. */
    private static void check(RecurrentLayer layer, float[] x, float[] dy, float[] param, float[] grad, String what) {
        double[] want = new double[param.length];
        for (int i = 0; i < param.length; i++) {
            float keep = param[i], up = keep + EPS, down = keep - EPS;
            param[i] = up;
            double lossUp = loss(layer, x, dy);
            param[i] = down;
            double lossDown = loss(layer, x, dy);
            param[i] = keep;
            want[i] = (lossUp - lossDown) / ((double) up - down);
        }
        KernelCheck.assertClose(grad, want, 2e-3, what);
    }

    private static double loss(RecurrentLayer layer, float[] x, float[] dy) {
        float[] y = layer.forward(x).y();
        double sum = 0;
        for (int i = 0; i < y.length; i++) sum += (double) dy[i] * y[i];
        return sum;
    }
}
