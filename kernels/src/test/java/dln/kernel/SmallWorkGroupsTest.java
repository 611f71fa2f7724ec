package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dln.runtime.cl.ClBackend;
import dln.runtime.cl.SmallGroups;
import dln.runtime.kernel.Kernel;
import dln.runtime.kernel.Program;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The reducing kernels on a device that allows fewer work-items in a group than their 256: the
 * backend builds the same program with a smaller power of two for the group (`-D DLN_REDUCE=n`) and
 * launches as many groups of it, and every buffer still agrees with the JVM's. PoCL taken to allow
 * 64 (a GPU's kernel limit for register-heavy kernels), 48 (so 32) and 1 (a tree of one: each
 * work-item's loop takes everything). Sizes past 256 per channel or batch, so that every work-item
 * takes several rounds.
 */
class SmallWorkGroupsTest {

    @Test void theReductionsAgreeWithTheJvmInGroupsOfAnySize() {
        for (long max : new long[] {64, 48, 1}) {
            ClBackend cl = SmallGroups.backend(max);
            if (cl == null) return;
            try (cl) {
                OpenClTable table = table(new Random(5), "m" + max);
                table.assertSame(cl);
                long expected = Long.highestOneBit(max);
                for (Kernel k : reducing("m" + max)) {
                    assertThat(SmallGroups.local(cl, k)).as(k.name()).containsExactly(expected);
                }
            }
        }
    }

    @Test void aDeviceThatAllowsThemBuildsTheProgramAsEmitted() {
        ClBackend cl = SmallGroups.backend(Long.MAX_VALUE);
        if (cl == null) return;
        try (cl) {
            table(new Random(6), "full").assertSame(cl);
            for (Kernel k : reducing("full")) assertThat(SmallGroups.local(cl, k)).as(k.name()).containsExactly(Program.REDUCE);
        }
    }

    @Test void theProgramDefinesTheGroupSizeOnlyWhenAKernelReduces() {
        List<Kernel> reducing = reducing("p");
        assertThat(Program.source("t", reducing)).contains("#ifndef DLN_REDUCE\n#define DLN_REDUCE 256\n#endif");
        assertThat(Program.source("t", List.of(new Softmax("t_softmax", Dim.batch(1), 10)))).doesNotContain("DLN_REDUCE");
    }

    /** One kernel of each kind that sums over a work-group. */
    private static List<Kernel> reducing(String tag) {
        String p = "t_small_" + tag + "_";
        return List.of(new BatchNormForward(p + "bn", 3, 49, 0.1f, 1e-5f, true), new BatchNormForward(p + "bn_inference", 3, 49, 0.1f, 1e-5f, false),
                new BatchNormBackward(p + "bn_back", 3, 49), new BatchNormForward(p + "bn_rows", 2, 5, 0.1f, 1e-5f, true),
                new BiasGrad(p + "bias_grad", Dim.batch(3), 4, 33), new PreluBackward(p + "prelu_back", 2, 300),
                new Correct(p + "correct", 10, true),
                new LossTotals(p + "loss", new Loss(p + "loss_each", LossKind.CROSS_ENTROPY, 10, true), new Correct(p + "loss_right", 10, true)),
                new GradNorm(p + "gradnorm", List.of(new GradNorm.Part("a", 1000, 1e-3f, 1e-2f), new GradNorm.Part("b", 257, 0, 0)), true));
    }

    private static OpenClTable table(Random r, String tag) {
        List<Kernel> k = reducing(tag);
        OpenClTable table = new OpenClTable();
        int batch = 37;
        for (int i : new int[] {0, 1}) {
            int c = 3, n = batch * c * 49;
            float[] runningVar = KernelCheck.random(r, c, 1);
            for (int j = 0; j < c; j++) runningVar[j] = 0.5f + Math.abs(runningVar[j]);
            table.add(k.get(i), batch, 0, 1e-5, KernelCheck.random(r, n, 2), KernelCheck.random(r, c, 1), KernelCheck.random(r, c, 1),
                    KernelCheck.random(r, c, 1), runningVar, new float[c], new float[c], new float[n]);
        }
        {
            int c = 3, n = batch * c * 49;
            float[] x = KernelCheck.random(r, n, 2), w = KernelCheck.random(r, c, 1);
            float[][] fwd = {x, w, new float[c], new float[c], new float[c], new float[c], new float[c], new float[n]};
            new BatchNormForward("fd", c, 49, 0.1f, 1e-5f, true).reference(batch, 0, fwd);
            table.add(k.get(2), batch, 0, 1e-4, x, w, fwd[5], fwd[6], KernelCheck.random(r, n, 1), new float[n], new float[c], new float[c]);
        }
        {
            int c = 2, rows = 300, n = rows * c * 5;
            table.add(k.get(3), rows, 0, 1e-5, KernelCheck.random(r, n, 2), KernelCheck.random(r, c, 1), KernelCheck.random(r, c, 1),
                    KernelCheck.random(r, c, 1), new float[] {1, 2}, new float[c], new float[c], new float[n]);
        }
        table.add(k.get(4), batch, 0, 1e-5, KernelCheck.random(r, 3 * 4 * 33 * batch, 1), new float[4]);
        {
            int c = 2, s = 300, n = batch * c * s;
            table.add(k.get(5), batch, 0, 1e-5, KernelCheck.random(r, n, 1), KernelCheck.random(r, c, 0.3), KernelCheck.random(r, n, 1), new float[n], new float[c]);
        }
        int rows = 300;
        float[] labels = new float[rows];
        for (int i = 0; i < rows; i++) labels[i] = r.nextInt(10);
        table.add(k.get(6), rows, 0, 0, KernelCheck.random(r, rows * 10, 1), labels, new float[] {5});
        table.add(k.get(7), rows, 0, 1e-5, KernelCheck.random(r, rows * 10, 1), labels, new float[rows * 10], new float[] {0.25f, 5}, new float[] {3});
        float[][] norm = {new float[Update.HYPER], KernelCheck.random(r, 1000, 1), KernelCheck.random(r, 1000, 1), KernelCheck.random(r, 257, 1), KernelCheck.random(r, 257, 1)};
        table.add(k.get(8), 1, 0, 1e-5, norm);
        return table;
    }
}
