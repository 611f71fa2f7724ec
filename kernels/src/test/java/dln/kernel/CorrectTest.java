package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CorrectTest {
    @Test void countsArgmaxAgainstLabels() {
        float[] out = {0.1f, 0.7f, 0.2f, /* */ 0.5f, 0.5f, 0, /* */ 0.2f, 0.3f, 0.5f, /* */ 1, 0, 0};
        // predictions 1, 0 (the first of a tie), 2, 0; the last label is out of range and matches nothing
        assertThat(count(new Correct("t_correct_labels", 3, true), 4, out, new float[] {1, 0, 1, 3})).isEqualTo(2);
    }

    @Test void countsArgmaxAgainstOneHotTargets() {
        float[] out = {0.1f, 0.7f, 0.2f, /* */ 0.2f, 0.3f, 0.5f};
        assertThat(count(new Correct("t_correct_onehot", 3, false), 2, out, new float[] {0, 1, 0, 1, 0, 0})).isEqualTo(1);
    }

    @Test void oneOutputIsRightWhenItAndTheTargetAreOnTheSameSideOfOneHalf() {
        Correct k = new Correct("t_correct_binary", 1, false);
        // 0/1 targets against a sigmoid: 0.9 right, 0.5 right (ties go to class 1), 0.4 wrong, 0.2 right
        assertThat(count(k, 4, new float[] {0.9f, 0.5f, 0.4f, 0.2f}, new float[] {1, 1, 1, 0})).isEqualTo(3);
        // -1/1 targets against a margin: 2 right, -3 right, 0.3 counts as the -1 class
        assertThat(count(k, 3, new float[] {2, -3, 0.3f}, new float[] {1, -1, 1})).isEqualTo(2);
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(9);
        OpenClTable table = new OpenClTable();
        for (long w : new long[] {1, 2, 3, 10}) {
            for (boolean labels : new boolean[] {false, true}) {
                Correct k = new Correct("t_correct_" + w + labels, w, labels);
                for (int batch : new int[] {1, 37, 300}) {
                    float[] target = new float[labels ? batch : batch * (int) w];
                    for (int i = 0; i < target.length; i++) target[i] = labels ? r.nextInt((int) w) : r.nextInt(2);
                    table.add(k, batch, 0, 0, KernelCheck.random(r, batch * (int) w, 1), target, new float[] {5});
                }
            }
        }
        table.assertSame();
    }

    private static float count(Correct k, int batch, float[] out, float[] target) {
        return new OpenClTable().add(k, batch, 0, 0, out, target, new float[1]).assertSame().get(0)[2][0];
    }
}
