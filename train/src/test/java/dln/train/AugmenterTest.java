package dln.train;

import static org.assertj.core.api.Assertions.assertThat;

import dln.net.Training;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Shift moves pixels with zeros coming in, flips mirror, noise has the asked spread; per channel. */
class AugmenterTest {
    // two channels of 3×4: channel 0 is 1..12, channel 1 is 101..112
    static float[] image() {
        float[] x = new float[24];
        for (int i = 0; i < 12; i++) {
            x[i] = i + 1;
            x[12 + i] = 101 + i;
        }
        return x;
    }

    final Augmenter augmenter = new Augmenter(List.of(), new long[] {2, 3, 4});

    @Test
    void shiftMovesDownAndRightFillingWithZeros() {
        float[] x = image();
        augmenter.shift(x, 0, 1, 2);
        assertThat(x).startsWith(0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 5, 6);
        assertThat(java.util.Arrays.copyOfRange(x, 12, 24)).containsExactly(0, 0, 0, 0, 0, 0, 101, 102, 0, 0, 105, 106);
    }

    @Test
    void shiftUpAndLeft() {
        float[] x = image();
        augmenter.shift(x, 0, -1, -1);
        assertThat(java.util.Arrays.copyOfRange(x, 0, 12)).containsExactly(6, 7, 8, 0, 10, 11, 12, 0, 0, 0, 0, 0);
    }

    @Test
    void flipsMirrorEachChannel() {
        float[] x = image();
        augmenter.flip(x, 0, true);
        assertThat(java.util.Arrays.copyOfRange(x, 0, 12)).containsExactly(4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9);
        assertThat(x[12]).isEqualTo(104);
        float[] y = image();
        augmenter.flip(y, 0, false);
        assertThat(java.util.Arrays.copyOfRange(y, 0, 12)).containsExactly(9, 10, 11, 12, 5, 6, 7, 8, 1, 2, 3, 4);
    }

    @Test
    void aBatchIsAugmentedPerImageAndReproducibly() {
        Augmenter flips = new Augmenter(List.of(new Training.Call("flip", Map.of("axis", "horizontal"))), new long[] {2, 3, 4});
        int n = 200;
        float[] a = new float[n * 24], b;
        for (int i = 0; i < n; i++) System.arraycopy(image(), 0, a, i * 24, 24);
        b = a.clone();
        flips.apply(a, n, new SplittableRandom(9));
        flips.apply(b, n, new SplittableRandom(9));
        assertThat(a).isEqualTo(b);
        int flipped = 0;
        for (int i = 0; i < n; i++) if (a[i * 24] == 4) flipped++;
        assertThat(flipped).isBetween(70, 130);
    }

    @Test
    void noiseHasTheAskedSpread() {
        Augmenter noise = new Augmenter(List.of(new Training.Call("noise", Map.of("std", 0.5))), new long[] {100});
        float[] x = new float[100 * 100];
        noise.apply(x, 100, new SplittableRandom(1));
        double sum = 0, squares = 0;
        for (float v : x) {
            sum += v;
            squares += v * v;
        }
        assertThat(sum / x.length).isBetween(-0.03, 0.03);
        assertThat(Math.sqrt(squares / x.length)).isBetween(0.48, 0.52);
    }
}
