package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dln.runtime.kernel.Kernel;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EmbeddingTest {
    private static final float[] WEIGHT = {1, 2, 3, 4, 5, 6}; // vocab 3, dim 2

    @Test void looksUpRowsAndGivesZerosForUnknownIds() {
        float[][] out = new OpenClTable().add(new EmbeddingForward("t_embedding_hand", 4, 3, 2), 1, 0, 0,
                new float[] {2, 0, 5, -1}, WEIGHT, new float[8]).assertSame().get(0);
        assertThat(out[2]).containsExactly(5, 6, 1, 2, 0, 0, 0, 0);
    }

    @Test void backwardAddsRepeatedIdsAndOverwrites() {
        float[] dy = {1, 2, 10, 20, 100, 200, 7, 7};
        float[][] out = new OpenClTable().add(new EmbeddingBackward("t_embedding_back_hand", 2, 3, 2), 2, 0, 0,
                new float[] {1, 1, 0, 7}, dy, new float[] {9, 9, 9, 9, 9, 9}).assertSame().get(0);
        assertThat(out[2]).containsExactly(100, 200, 11, 22, 0, 0);
    }

    @Test void backwardMatchesFiniteDifferences() {
        Random r = new Random(17);
        int batch = 2, tokens = 3, vocab = 4, dim = 2;
        float[] ids = {0, 3, 3, 1, 9, 0}, weight = KernelCheck.random(r, vocab * dim, 1);
        float[] dy = KernelCheck.random(r, batch * tokens * dim, 1), dweight = new float[vocab * dim];
        new EmbeddingBackward("fd", tokens, vocab, dim).reference(batch, 0, new float[][] {ids, dy, dweight});
        double[] numeric = FiniteDifferences.gradient(weight, w -> {
            float[] y = new float[dy.length];
            new EmbeddingForward("fd", tokens, vocab, dim).reference(batch, 0, new float[][] {ids, w, y});
            return FiniteDifferences.dot(dy, y);
        });
        FiniteDifferences.assertMatches(dweight, numeric, "dweight");
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(18);
        OpenClTable table = new OpenClTable();
        for (int[] shape : new int[][] {{1, 1, 1}, {5, 11, 3}, {20, 1000, 16}}) {
            int tokens = shape[0], vocab = shape[1], dim = shape[2];
            Kernel forward = new EmbeddingForward("t_embedding_" + tokens + "_" + vocab + "_" + dim, tokens, vocab, dim);
            Kernel backward = new EmbeddingBackward("t_embedding_back_" + tokens + "_" + vocab + "_" + dim, tokens, vocab, dim);
            for (int batch : new int[] {1, 37}) {
                float[] ids = new float[batch * tokens];
                for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(vocab + 2) - 1; // a few out of range
                table.add(forward, batch, 0, 0, ids, KernelCheck.random(r, vocab * dim, 1), new float[batch * tokens * dim]);
                table.add(backward, batch, 0, 0, ids, KernelCheck.random(r, batch * tokens * dim, 1), KernelCheck.random(r, vocab * dim, 1));
            }
        }
        table.assertSame();
    }
}
