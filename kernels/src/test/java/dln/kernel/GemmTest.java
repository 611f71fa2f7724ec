package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dln.runtime.kernel.Choice;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GemmTest {
    private static final boolean[][] TRANSPOSES = {{false, false}, {false, true}, {true, false}, {true, true}};

    /** A Gemm over unbatched sizes with tight leading dimensions, plus `pad` extra floats on every stored row. */
    private static Gemm gemm(String name, boolean ta, boolean tb, int m, int n, int k, int pad, float alpha, float beta) {
        return new Gemm(name, ta, tb, Dim.of(m), Dim.of(n), Dim.of(k), (ta ? m : k) + pad, (tb ? k : n) + pad, n + pad, alpha, beta);
    }

    @Test void twoByTwoProductsEdgeCasesAndScaling() {
        // A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8]]: A·B = [[19, 22], [43, 50]], A·Bᵀ = [[17, 23], [39, 53]],
        // Aᵀ·B = [[26, 30], [38, 44]], Aᵀ·Bᵀ = [[23, 31], [34, 46]].
        float[] a = {1, 2, 3, 4}, b = {5, 6, 7, 8}, ones = {1, 1, 1, 1}, garbage = {Float.NaN, 1, Float.NaN, 1};
        float[][] want = {{19, 22, 43, 50}, {17, 23, 39, 53}, {26, 30, 38, 44}, {23, 31, 34, 46}};
        float[] c = {1, -2, 3, 4, 5, 6}, garbage6 = {1, Float.NaN, 3, 4, Float.NaN, 6};
        OpenClTable table = new OpenClTable();
        for (int t = 0; t < 4; t++) {
            boolean ta = TRANSPOSES[t][0], tb = TRANSPOSES[t][1];
            table.add(gemm("t_gemm_2x2_" + t, ta, tb, 2, 2, 2, 0, 1, 0), 1, 0, 0, a, b, garbage);
            table.add(gemm("t_gemm_k0_" + t, ta, tb, 2, 3, 0, 0, 1, 3), 1, 0, 0, new float[1], new float[1], c);
        }
        // 0.5·A·B + 2·C with C = 1: [[11.5, 13], [23.5, 27]]
        table.add(gemm("t_gemm_ab", false, false, 2, 2, 2, 0, 0.5f, 2), 1, 0, 0, a, b, ones);
        table.add(gemm("t_gemm_k0z", false, true, 2, 3, 0, 0, 1, 0), 1, 0, 0, new float[1], new float[1], garbage6);
        List<float[][]> out = table.assertSame();
        for (int t = 0; t < 4; t++) {
            // with beta 0 the NaNs in C are never read
            assertThat(out.get(2 * t)[2]).as("transA %s, transB %s", TRANSPOSES[t][0], TRANSPOSES[t][1]).containsExactly(want[t]);
            // k = 0: C = beta·C
            assertThat(out.get(2 * t + 1)[2]).containsExactly(3, -6, 9, 12, 15, 18);
        }
        assertThat(out.get(8)[2]).containsExactly(11.5f, 13, 23.5f, 27);
        assertThat(out.get(9)[2]).containsOnly(0f);
    }

    @Test void referenceMatchesTheProductInDouble() {
        Random r = new Random(11);
        for (boolean[] t : TRANSPOSES) {
            int m = 7, n = 5, k = 9, pad = 2;
            Gemm g = gemm("ref", t[0], t[1], m, n, k, pad, 0.5f, -1);
            float[] a = KernelCheck.random(r, (t[0] ? k : m) * g.lda(), 1), b = KernelCheck.random(r, (t[1] ? n : k) * g.ldb(), 1);
            float[] c = KernelCheck.random(r, m * g.ldc(), 1), c0 = c.clone();
            g.reference(1, 0, new float[][] {a, b, c});
            double[] want = new double[c.length];
            for (int i = 0; i < c.length; i++) want[i] = c0[i];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += (double) (t[0] ? a[p * g.lda() + i] : a[i * g.lda() + p]) * (t[1] ? b[j * g.ldb() + p] : b[p * g.ldb() + j]);
                    want[i * g.ldc() + j] = 0.5 * s - c0[i * g.ldc() + j];
                }
            }
            KernelCheck.assertClose(c, want, 1e-6, "gemm transA " + t[0] + " transB " + t[1]);
        }
    }

    @Test void sameOnOpenClOverShapes() {
        // Sizes around the blocks (12×32 and 6×4 per work-item, 4×4 groups): one element, odd sizes
        // that leave partial blocks on both sides and a k tail past the float16 steps, a single
        // column, padded rows (every other shape), and batched sizes.
        int[][] shapes = {{1, 1, 1}, {67, 33, 129}, {130, 1, 64}, {25, 70, 33}};
        Random r = new Random(12);
        OpenClTable table = new OpenClTable();
        for (int s = 0; s < shapes.length; s++) {
            int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
            for (int t = 0; t < 4; t++) {
                boolean ta = TRANSPOSES[t][0], tb = TRANSPOSES[t][1];
                int pad = s % 2;
                float alpha = s % 3 == 0 ? 1 : 0.75f, beta = s % 2 == 0 ? 0 : 0.5f;
                Gemm g = gemm("t_gemm_s" + s + "_t" + t, ta, tb, m, n, k, pad, alpha, beta);
                table.add(g, 1, 0, 1e-5, KernelCheck.random(r, (ta ? k : m) * g.lda(), 1), KernelCheck.random(r, (tb ? n : k) * g.ldb(), 1),
                        KernelCheck.random(r, m * g.ldc(), 1));
            }
        }
        // the batch as a dense layer's forward (in m) and its weight gradient (in k) use it; batch 37
        // is no multiple of any block
        for (int batch : new int[] {1, 37}) {
            table.add(new Gemm("t_gemm_bm", false, true, Dim.batch(1), Dim.of(10), Dim.of(20), 20, 20, 10, 1, 0), batch, 0, 1e-5,
                    KernelCheck.random(r, batch * 20, 1), KernelCheck.random(r, 200, 1), new float[batch * 10]);
            table.add(new Gemm("t_gemm_bk", true, false, Dim.of(10), Dim.of(20), Dim.batch(1), 10, 20, 20, 1, 1), batch, 0, 1e-5,
                    KernelCheck.random(r, batch * 10, 1), KernelCheck.random(r, batch * 20, 1), KernelCheck.random(r, 200, 1));
        }
        table.assertSame();
    }

    // Every candidate block size, built as a build option on the same source, against the reference.
    // A·B and Aᵀ·Bᵀ on sizes that are no multiple of any block (37 rows, 33 columns, a k tail); Aᵀ·B
    // as a weight gradient (the batch in k, 10 rows: the last block moves back) and on fewer rows than
    // most blocks (5, where it cannot); the dot products as a dense layer's forward (the batch in m:
    // 37 rows, 10 columns, k = 16 + 4, with its epilogue).
    @Test void everyCandidateBlockSizeMatchesTheReference() {
        Random r = new Random(13);
        OpenClTable table = new OpenClTable();
        List<Gemm> products = new java.util.ArrayList<>();
        for (boolean[] t : TRANSPOSES) if (t[0] == t[1]) products.add(gemm("t_gemm_cand", t[0], t[1], 37, 33, 21, 1, 1, 0.5f));
        products.add(gemm("t_gemm_cand", true, false, 5, 40, 17, 0, 1, 0));
        int id = 0;
        for (Gemm g : products) {
            for (Choice c : g.candidates()) {
                int m = g.m().at(1), n = g.n().at(1), k = g.k().at(1);
                table.add(g.named("t_gemm_cand_" + id++), c, 1, 0, 1e-5, KernelCheck.random(r, (g.transA() ? k : m) * g.lda(), 1),
                        KernelCheck.random(r, (g.transB() ? n : k) * g.ldb(), 1), KernelCheck.random(r, m * g.ldc(), 1));
            }
        }
        Gemm forward = new Gemm("t_gemm_cand_fwd", false, true, Dim.batch(1), Dim.of(10), Dim.of(20), 20, 20, 10, 1, 0, new Epilogue(true, Act.RELU, 0));
        Gemm weight = new Gemm("t_gemm_cand_dw", true, false, Dim.of(10), Dim.of(40), Dim.batch(1), 10, 40, 40, 1, 0);
        for (Choice c : forward.candidates()) {
            table.add(forward.named("t_gemm_cand_" + id++), c, 37, 0, 1e-5, KernelCheck.random(r, 37 * 20, 1), KernelCheck.random(r, 200, 1),
                    new float[37 * 10], KernelCheck.random(r, 10, 1));
        }
        for (Choice c : weight.candidates()) {
            table.add(weight.named("t_gemm_cand_" + id++), c, 37, 0, 1e-5, KernelCheck.random(r, 37 * 10, 1), KernelCheck.random(r, 37 * 40, 1),
                    new float[400]);
        }
        table.assertSame();
    }

    /** A dense layer's x [m, k], W [n, k] and bias [n], random in [-1, 1]. */
    private static float[][] denseOperands(Random r, int m, int n, int k) {
        return new float[][] {KernelCheck.random(r, m * k, 1), KernelCheck.random(r, n * k, 1), KernelCheck.random(r, n, 1)};
    }

    // A dense layer's forward product carries its bias and activation as an epilogue: the same as the
    // product followed by BiasAct, bit for bit on the JVM, within rounding on OpenCL, for every
    // activation, with and without a bias, over sizes that leave partial blocks (batch 1 and 37).
    // The JVM reference shares a large product among its threads when OpenBLAS runs one (as the tests
    // run it, and dlnc), a block of C's rows each (of its columns when C has under 128 rows), each
    // block a BLAS call of its own followed by its block's epilogue: the same as one call over all of
    // C within rounding (OpenBLAS may give an element to another register block, as its own threads
    // do; sums of 60 products that cancel differ in the sixth digit). Rows of 200 (blocks of 96 and
    // 104) and 130 (64 and 66); 64 and 40 rows of 300 and 130 columns (columns 144 and 156, 64 and
    // 66); every transpose, padded rows with beta 0.75, epilogues of bias and activation and of
    // softmax (always by rows), and no depth at all.
    @Test void aProductSharedAmongThreadsIsTheSameAsOneCall() {
        Random r = new Random(31);
        for (int[] shape : new int[][] {{200, 300, 45}, {130, 300, 60}, {200, 64, 200}, {200, 37, 0}, {64, 300, 45}, {40, 130, 20}, {50, 140, 0}}) {
            int m = shape[0], n = shape[1], k = shape[2];
            for (boolean[] t : TRANSPOSES) {
                for (int pad : new int[] {0, 3}) {
                    Gemm g = gemm("shared", t[0], t[1], m, n, k, pad, 0.5f, pad == 0 ? 0f : 0.75f);
                    float[][] bufs = operands(r, g, m, n, k);
                    assertSameShared(g, 1, bufs, "%s %s", java.util.Arrays.toString(shape), java.util.Arrays.toString(t));
                }
            }
            float[] bias = KernelCheck.random(r, n, 1);
            for (Epilogue e : List.of(new Epilogue(true, Act.RELU, 0f), new Epilogue(true, Act.LINEAR, 0f).withSoftmax(), new Epilogue(false, Act.TANH, 0f))) {
                Gemm g = new Gemm("shared_epi", false, true, Dim.batch(1), Dim.of(n), Dim.of(k), k, k, n, 1f, 0f, e);
                float[][] ab = operands(r, g, m, n, k);
                List<float[]> bufs = new java.util.ArrayList<>(List.of(ab[0], ab[1], KernelCheck.random(r, m * n, 1)));
                if (e.bias()) bufs.add(bias);
                if (e.softmax()) bufs.add(new float[m * n]);
                assertSameShared(g, m, bufs.toArray(float[][]::new), "%s %s", java.util.Arrays.toString(shape), e.describe());
            }
        }
    }

    private static Object[] concat(Object[] args, Object... more) {
        Object[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    private static float[][] operands(Random r, Gemm g, int m, int n, int k) {
        long[] sizes = g.sizes(m);
        float[][] bufs = new float[3][];
        for (int i = 0; i < 3; i++) bufs[i] = KernelCheck.random(r, (int) Math.max(1, sizes[i]), 1);
        return bufs;
    }

    private static void assertSameShared(Gemm g, int batch, float[][] bufs, String what, Object... args) {
        float[][] one = copies(bufs), shared = copies(bufs);
        g.reference(batch, 0, one, Long.MAX_VALUE);
        g.reference(batch, 0, shared, 0);
        for (int i = 2; i < bufs.length; i++) {
            for (int j = 0; j < one[i].length; j++) {
                assertThat(shared[i][j]).as(what + " [%d][%d]", concat(args, i, j)).isCloseTo(one[i][j], org.assertj.core.data.Offset.offset(2e-5f * (1 + Math.abs(one[i][j]))));
            }
        }
        assertThat(shared[2]).as(what, args).isNotEqualTo(bufs[2]);
    }

    @Test void theEpilogueIsTheProductFollowedByBiasAct() {
        Random r = new Random(5);
        OpenClTable table = new OpenClTable();
        int m = 37, n = 11, k = 21;
        float[] a = KernelCheck.random(r, m * k, 1), b = KernelCheck.random(r, n * k, 1), bias = KernelCheck.random(r, n, 1);
        for (Act act : Act.values()) {
            for (boolean withBias : new boolean[] {true, false}) {
                Epilogue e = new Epilogue(withBias, act, 0.1f);
                Gemm fused = new Gemm("t_gemm_epi_" + act + "_" + withBias, false, true, Dim.batch(1), Dim.of(n), Dim.of(k), k, k, n, 1f, 0f, e);
                for (int rows : new int[] {1, m}) {
                    float[][] bufs = withBias ? new float[][] {a, b, new float[m * n], bias} : new float[][] {a, b, new float[m * n]};
                    table.add(fused, rows, 0, 1e-5, bufs);
                    float[] want = new float[m * n];
                    new Gemm("plain", false, true, Dim.batch(1), Dim.of(n), Dim.of(k), k, k, n, 1f, 0f).reference(rows, 0, new float[][] {a, b, want});
                    BiasAct after = new BiasAct("after", Dim.batch(1), n, 1, withBias, act, 0.1f);
                    after.reference(rows, 0, withBias ? new float[][] {bias, want} : new float[][] {want});
                    float[][] got = copies(bufs);
                    fused.reference(rows, 0, got);
                    assertThat(got[2]).as("%s, bias %s, %d rows", act, withBias, rows).containsExactly(want);
                }
            }
        }
        table.assertSame();
        assertThat(new Gemm("g", false, true, Dim.batch(1), Dim.of(n), Dim.of(k), k, k, n, 1f, 0f, new Epilogue(true, Act.RELU, 0)).args())
                .containsExactly("a", "b", "c", "bias");
    }

    // The JVM's epilogue takes each row through a scratch block of Bits.BLOCK columns: rows wider than
    // that (2,100 columns) get the bias, the batch norm and the activation of their own columns in
    // every block, bit for bit as the product followed by BiasAct (and BatchNormForward).
    @Test void anEpilogueOfRowsWiderThanItsScratchBlock() {
        Random r = new Random(37);
        int m = 5, n = Bits.BLOCK + 52, k = 7;
        float[][] operands = denseOperands(r, m, n, k);
        float[] a = operands[0], b = operands[1], bias = operands[2];
        float[] gamma = KernelCheck.random(r, n, 1), beta = KernelCheck.random(r, n, 1), mean = KernelCheck.random(r, n, 1), var = new float[n];
        for (int c = 0; c < n; c++) var[c] = 0.1f + r.nextFloat();
        for (Epilogue e : List.of(new Epilogue(true, Act.RELU, 0f), new Epilogue(true, Act.LINEAR, 0f).withNorm(1e-3f).withAct(Act.TANH, 0f),
                new Epilogue(false, Act.SIGMOID, 0f))) {
            Gemm fused = new Gemm("wide", false, true, Dim.batch(1), Dim.of(n), Dim.of(k), k, k, n, 1f, 0f, e);
            float[] want = new float[m * n];
            new Gemm("plain", false, true, Dim.batch(1), Dim.of(n), Dim.of(k), k, k, n, 1f, 0f).reference(m, 0, new float[][] {a, b, want});
            new BiasAct("bias", Dim.batch(1), n, 1, e.bias(), Act.LINEAR, 0f).reference(m, 0, e.bias() ? new float[][] {bias, want} : new float[][] {want});
            if (e.norm() != null) {
                float[] z = want.clone();
                new BatchNormForward("bn", n, 1, 0.1f, 1e-3f, false).reference(m, 0, new float[][] {z, gamma, beta, mean.clone(), var.clone(), new float[n], new float[n], want});
            }
            new BiasAct("act", Dim.batch(1), n, 1, false, e.act(), 0f).reference(m, 0, new float[][] {want});
            List<float[]> bufs = new java.util.ArrayList<>(List.of(a, b, new float[m * n]));
            if (e.bias()) bufs.add(bias);
            if (e.norm() != null) bufs.addAll(List.of(gamma, beta, mean, var));
            float[][] got = bufs.toArray(float[][]::new);
            fused.reference(m, 0, got);
            assertThat(got[2]).as(e.describe()).containsExactly(want);
        }
    }

    // A classifier's last dense layer at inference also writes the softmax of each row it stores: the
    // same as the product with its bias followed by Softmax, bit for bit on the JVM (logits and
    // probabilities), within rounding on OpenCL; rows of 10 (three blocks of 4 columns, the last one
    // partial) and of 37 (ten blocks), with and without a bias, batches of 1 and 37 (a partial block
    // of rows), and every block-size candidate.
    @Test void theSoftmaxEpilogueIsTheProductFollowedBySoftmax() {
        Random r = new Random(17);
        OpenClTable table = new OpenClTable();
        int m = 37, k = 21, id = 0;
        for (int n : new int[] {10, 37}) {
            float[] a = KernelCheck.random(r, m * k, 3), b = KernelCheck.random(r, n * k, 3), bias = KernelCheck.random(r, n, 1);
            for (boolean withBias : new boolean[] {true, false}) {
                Gemm fused = new Gemm("t", false, true, Dim.batch(1), Dim.of(n), Dim.of(k), k, k, n, 1f, 0f, new Epilogue(withBias, Act.LINEAR, 0f))
                        .withSoftmax("t_gemm_softmax_" + n + "_" + withBias);
                assertThat(fused.epilogue().describe()).isEqualTo(withBias ? "+ bias, softmax of the row into probs" : "softmax of the row into probs");
                assertThat(fused.args()).containsExactlyElementsOf(withBias ? List.of("a", "b", "c", "bias", "probs") : List.of("a", "b", "c", "probs"));
                for (int rows : new int[] {1, m}) {
                    float[][] bufs = withBias ? new float[][] {a, b, new float[m * n], bias, new float[m * n]} : new float[][] {a, b, new float[m * n], new float[m * n]};
                    table.add(fused, rows, 0, 1e-5, bufs);
                    float[] z = new float[m * n], want = new float[m * n];
                    new Gemm("plain", false, true, Dim.batch(1), Dim.of(n), Dim.of(k), k, k, n, 1f, 0f, new Epilogue(withBias, Act.LINEAR, 0f))
                            .reference(rows, 0, withBias ? new float[][] {a, b, z, bias} : new float[][] {a, b, z});
                    new Softmax("after", Dim.batch(1), n).reference(rows, 0, new float[][] {z, want});
                    float[][] got = copies(bufs);
                    fused.reference(rows, 0, got);
                    assertThat(got[2]).as("logits, %d wide, bias %s, %d rows", n, withBias, rows).containsExactly(z);
                    assertThat(got[got.length - 1]).as("probabilities, %d wide, bias %s, %d rows", n, withBias, rows).containsExactly(want);
                }
                if (n == 10 && withBias) {
                    for (Choice c : fused.candidates()) {
                        table.add(fused.named("t_gemm_softmax_cand_" + id++), c, m, 0, 1e-5, a, b, new float[m * n], bias, new float[m * n]);
                    }
                }
            }
        }
        table.assertSame();
        assertThatThrownBy(() -> new Gemm("g", false, true, Dim.batch(1), Dim.of(10), Dim.of(4), 4, 4, 12, 1f, 0f, Epilogue.NONE.withSoftmax()))
                .hasMessageContaining("rows whole");
        assertThatThrownBy(() -> new ConvForward("c", ConvGeom.of(1, 2, new long[] {4, 4}, new long[] {3, 3}, new long[] {1, 1}, new long[] {0, 0},
                new long[] {1, 1}), Epilogue.NONE.withSoftmax())).hasMessageContaining("no softmax or dropout");
    }

    // At inference a batch norm after a dense layer, and its activation, are the product's epilogue:
    // the same as the product with its bias, BatchNormForward (running statistics, a column a
    // channel) and BiasAct; bit for bit on the JVM, within rounding on OpenCL; batches of 1 and 37.
    @Test void aBatchNormAtInferenceIsTheProductsEpilogue() {
        Random r = new Random(23);
        OpenClTable table = new OpenClTable();
        int m = 37, n = 11, k = 21;
        float[][] operands = denseOperands(r, m, n, k);
        float[] a = operands[0], b = operands[1], bias = operands[2];
        float[] gamma = KernelCheck.random(r, n, 1), beta = KernelCheck.random(r, n, 1), mean = KernelCheck.random(r, n, 1), var = new float[n];
        for (int c = 0; c < n; c++) var[c] = 0.1f + r.nextFloat();
        Epilogue e = new Epilogue(true, Act.LINEAR, 0f).withNorm(1e-3f).withAct(Act.RELU, 0f);
        assertThat(e.describe()).isEqualTo("+ bias, batch norm (running statistics), relu");
        Gemm fused = new Gemm("t_gemm_bn", false, true, Dim.batch(1), Dim.of(n), Dim.of(k), k, k, n, 1f, 0f, e);
        assertThat(fused.args()).containsExactly("a", "b", "c", "bias", "norm_weight", "norm_bias", "running_mean", "running_var");
        for (int rows : new int[] {1, m}) {
            float[][] bufs = {a, b, new float[m * n], bias, gamma, beta, mean, var};
            table.add(fused, rows, 0, 1e-5, bufs);
            float[] z = new float[m * n], want = new float[m * n];
            new Gemm("plain", false, true, Dim.batch(1), Dim.of(n), Dim.of(k), k, k, n, 1f, 0f, new Epilogue(true, Act.LINEAR, 0f))
                    .reference(rows, 0, new float[][] {a, b, z, bias});
            new BatchNormForward("bn", n, 1, 0.1f, 1e-3f, false).reference(rows, 0, new float[][] {z, gamma, beta, mean.clone(), var.clone(), new float[n], new float[n], want});
            new BiasAct("relu", Dim.batch(1), n, 1, false, Act.RELU, 0f).reference(rows, 0, new float[][] {want});
            float[][] got = copies(bufs);
            fused.reference(rows, 0, got);
            assertThat(got[2]).as("%d rows", rows).containsExactly(want);
        }
        table.assertSame();
    }

    // In training, a dense layer's product also writes the dropout after it: the activation as before
    // (the backward pass reads it) and the dropped copy, with the very mask of the Dropout kernel at
    // that step; bit for bit on the JVM, within rounding on OpenCL (the mask itself exact: a kept
    // element is never 0 there); batches of 1 and 37, two steps, with and without a bias.
    @Test void theDropoutEpilogueIsTheProductFollowedByDropout() {
        Random r = new Random(19);
        OpenClTable table = new OpenClTable();
        int m = 37, n = 11, k = 21;
        float[][] operands = denseOperands(r, m, n, k);
        float[] a = operands[0], b = operands[1], bias = operands[2];
        Dropout d = new Dropout("t_drop", Dim.batch(n), 0.3f, 1234);
        for (boolean withBias : new boolean[] {true, false}) {
            Epilogue e = new Epilogue(withBias, Act.TANH, 0f);
            Gemm fused = new Gemm("t", false, true, Dim.batch(1), Dim.of(n), Dim.of(k), k, k, n, 1f, 0f, e).withDropout("t_gemm_dropout_" + withBias, d);
            assertThat(fused.args()).containsExactlyElementsOf(withBias ? List.of("a", "b", "c", "bias", "dropped") : List.of("a", "b", "c", "dropped"));
            for (int rows : new int[] {1, m}) {
                for (int step : new int[] {1, 2}) {
                    float[][] bufs = withBias ? new float[][] {a, b, new float[m * n], bias, new float[m * n]} : new float[][] {a, b, new float[m * n], new float[m * n]};
                    table.add(fused, rows, step, 1e-5, bufs);
                    float[] y = new float[m * n], want = new float[m * n];
                    new Gemm("plain", false, true, Dim.batch(1), Dim.of(n), Dim.of(k), k, k, n, 1f, 0f, e)
                            .reference(rows, step, withBias ? new float[][] {a, b, y, bias} : new float[][] {a, b, y});
                    d.reference(rows, step, new float[][] {y, want});
                    float[][] got = copies(bufs);
                    fused.reference(rows, step, got);
                    assertThat(got[2]).as("activation, bias %s, %d rows, step %d", withBias, rows, step).containsExactly(y);
                    assertThat(got[got.length - 1]).as("dropped, bias %s, %d rows, step %d", withBias, rows, step).containsExactly(want);
                    long dropped = 0;
                    for (int i = 0; i < rows * n; i++) if (want[i] == 0) dropped++;
                    assertThat(dropped).as("some dropped, some kept").isBetween(1L, rows * n - 1L);
                }
            }
        }
        List<float[][]> out = table.assertSame();
        for (float[][] bufs : out) {
            float[] y = bufs[2], dropped = bufs[bufs.length - 1];
            for (int i = 0; i < y.length; i++) if (dropped[i] != 0) assertThat(dropped[i]).isCloseTo(y[i] / 0.7f, org.assertj.core.data.Offset.offset(1e-5f));
        }
        assertThatThrownBy(() -> new Gemm("g", false, true, Dim.batch(1), Dim.of(10), Dim.of(4), 4, 4, 10, 1f, 0f, Epilogue.NONE)
                .withDropout("g2", new Dropout("d", Dim.batch(12), 0.5f, 1))).hasMessageContaining("as large as the dropout");
        assertThatThrownBy(() -> Epilogue.NONE.withSoftmax().withDropout(d)).isInstanceOf(IllegalArgumentException.class);
    }

    // A NaN in row 3 of A reaches row 3 of the product and no other, on both backends, for every
    // transpose and with the fused relu (which keeps NaN, as PyTorch's does), over sizes whose
    // blocks the OpenCL kernels clamp or shift back to stay inside the matrix.
    @Test void aNanInARowOfAReachesThatRowOfTheProductOnly() {
        Random r = new Random(7);
        OpenClTable table = new OpenClTable();
        int m = 37, n = 19, k = 21;
        for (int t = 0; t < 4; t++) {
            boolean ta = TRANSPOSES[t][0], tb = TRANSPOSES[t][1];
            float[] a = KernelCheck.random(r, m * k, 1);
            a[ta ? 5 * m + 3 : 3 * k + 5] = Float.NaN;   // A[3][5]
            table.add(gemm("t_gemm_nan_" + t, ta, tb, m, n, k, 0, 1, 0), 1, 0, 1e-5, a, KernelCheck.random(r, n * k, 1), new float[m * n]);
        }
        float[] a = KernelCheck.random(r, m * k, 1);
        a[3 * k + 5] = Float.NaN;
        table.add(new Gemm("t_gemm_nan_relu", false, true, Dim.batch(1), Dim.of(n), Dim.of(k), k, k, n, 1f, 0f, new Epilogue(true, Act.RELU, 0)),
                m, 0, 1e-5, a, KernelCheck.random(r, n * k, 1), new float[m * n], KernelCheck.random(r, n, 1));
        List<float[][]> out = table.assertSame();
        for (float[][] bufs : out) {
            for (int i = 0; i < m * n; i++) assertThat(Float.isNaN(bufs[2][i])).as("c[%d][%d]", i / n, i % n).isEqualTo(i / n == 3);
        }
    }

    // An input gradient dy·W with the dropout mask and an activation's derivative folded in: on the JVM
    // bit for bit the three launches it replaces (the product, Dropout on its result, ActGrad in
    // place), on OpenCL within rounding; every activation (gelu and silu read their input z), with and
    // without the mask, accumulating (beta 1) or not, over batches that leave partial blocks, and two
    // steps (another mask).
    @Test void theBackwardEpilogueIsTheProductFollowedByDropoutAndActGrad() {
        Random r = new Random(21);
        OpenClTable table = new OpenClTable();
        int m = 37, k = 21, id = 0;
        // 40 columns: two float16 a block; 10: one float8
        for (int n : new int[] {40, 10}) {
        float[] a = KernelCheck.random(r, m * k, 1), b = KernelCheck.random(r, k * n, 1), y = KernelCheck.random(r, m * n, 1);
        float[] old = KernelCheck.random(r, m * n, 1);
        Dropout mask = new Dropout("t_mask", Dim.batch(n), 0.3f, 77);
        for (Act act : Act.values()) {
            for (boolean masked : new boolean[] {true, false}) {
                for (float beta : new float[] {0, 1}) {
                    if (act == Act.LINEAR && !masked || masked && beta == 1) continue;   // no fold / a mask needs a fresh product
                    // the float8 block: the vector forms of a select()-made derivative, an arithmetic one, and the mask alone
                    if (n == 10 && (beta == 1 || !(act == Act.RELU || act == Act.GELU || act == Act.LINEAR))) continue;
                    GradEpilogue g = masked ? GradEpilogue.NONE.withMask(mask) : GradEpilogue.NONE;
                    if (act != Act.LINEAR) g = g.withAct(act, 0.1f);
                    Gemm plain = new Gemm("plain", false, false, Dim.batch(1), Dim.of(n), Dim.of(k), k, n, n, 1f, beta);
                    Gemm fused = plain.with(g).named("t_gemm_back_" + id++);
                    for (int rows : new int[] {1, m}) {
                        for (int step : new int[] {3, 4}) {
                            float[][] bufs = act == Act.LINEAR ? new float[][] {a, b, old.clone()} : new float[][] {a, b, old.clone(), y};
                            table.add(fused, rows, step, 1e-5, bufs);
                            float[] want = old.clone();
                            plain.reference(rows, step, new float[][] {a, b, want});
                            if (masked) mask.reference(rows, step, new float[][] {want, want});
                            if (act != Act.LINEAR) new ActGrad("after", Dim.batch(n), act, 0.1f).reference(rows, step, new float[][] {y, want, want});
                            float[][] got = copies(bufs);
                            fused.reference(rows, step, got);
                            assertThat(got[2]).as("%s, mask %s, beta %s, %d rows, step %d", act, masked, beta, rows, step).containsExactly(want);
                        }
                    }
                }
            }
        }
        }
        table.assertSame();
        assertThat(new Gemm("g", false, false, Dim.batch(1), Dim.of(40), Dim.of(k), k, 40, 40, 1f, 0f).with(GradEpilogue.NONE.withAct(Act.GELU, 0)).args())
                .containsExactly("a", "b", "c", "z");
    }

    // A weight gradient dzᵀ·x that also writes the bias gradient, the sums of dz's columns: on the JVM
    // the BiasGrad launch's values bit for bit, on OpenCL within rounding, for every candidate block
    // (10 and 5 rows: the last block moves back, or cannot) and batches 1, 37 and 300 (more than one
    // of BiasGrad's blocks of 256 rows); the product itself unchanged.
    @Test void aWeightGradientAlsoSumsItsColumnsAsBiasGradDoes() {
        Random r = new Random(22);
        OpenClTable table = new OpenClTable();
        int id = 0;
        for (int m : new int[] {10, 5}) {
            int n = 40;
            Gemm plain = new Gemm("plain", true, false, Dim.of(m), Dim.of(n), Dim.batch(1), m, n, n, 1, 0);
            Gemm fused = plain.with(GradEpilogue.NONE.withSums());
            assertThat(fused.args()).containsExactly("a", "b", "c", "sums");
            for (Choice c : fused.candidates()) {
                for (int batch : new int[] {1, 37, 300}) {
                    float[] dz = KernelCheck.random(r, batch * m, 1), x = KernelCheck.random(r, batch * n, 1);
                    float[][] bufs = {dz, x, new float[m * n], new float[m]};
                    table.add(fused.named("t_gemm_sums_" + id++), c, batch, 0, batch > 256 ? 1e-4 : 1e-5, bufs);   // 300 terms: float32 rounding of both orders
                    float[][] got = copies(bufs);
                    fused.reference(batch, 0, got);
                    float[] product = new float[m * n], sums = new float[m];
                    plain.reference(batch, 0, new float[][] {dz, x, product});
                    new BiasGrad("after", Dim.batch(1), m, 1).reference(batch, 0, new float[][] {dz, sums});
                    assertThat(got[2]).containsExactly(product);
                    assertThat(got[3]).as("%d rows, batch %d", m, batch).containsExactly(sums);
                }
            }
        }
        table.assertSame();
    }

    @Test void aBackwardEpilogueOnlyWhereItsProductAllowsIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Gemm("g", false, true, Dim.batch(1), Dim.of(2), Dim.of(2), 2, 2, 2, 1f, 0f)
                .with(GradEpilogue.NONE.withAct(Act.RELU, 0))).hasMessageContaining("only for A·B stored whole");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Gemm("g", false, false, Dim.batch(1), Dim.of(2), Dim.of(2), 2, 2, 3, 1f, 0f)
                .with(GradEpilogue.NONE.withAct(Act.RELU, 0))).hasMessageContaining("only for A·B stored whole");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Gemm("g", false, false, Dim.batch(1), Dim.of(2), Dim.of(2), 2, 2, 2, 1f, 0f)
                .with(GradEpilogue.NONE.withMask(new Dropout("d", Dim.batch(3), 0.5f, 1)))).hasMessageContaining("not the product's");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Gemm("g", false, false, Dim.batch(1), Dim.of(2), Dim.of(2), 2, 2, 2, 1f, 0f)
                .with(GradEpilogue.NONE.withSums())).hasMessageContaining("only for Aᵀ·B");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GradEpilogue.NONE.withAct(Act.RELU, 0).withMask(new Dropout("d", Dim.batch(3), 0.5f, 1)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test void anEpilogueOnlyOnTheDenseForwardProduct() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Gemm("g", true, false, Dim.of(2), Dim.of(2), Dim.of(2), 2, 2, 2, 1f, 0f,
                new Epilogue(false, Act.RELU, 0))).hasMessageContaining("only for A·Bᵀ");
    }

    @Test void aGemmsDefaultsAreItsFirstCandidateAndItsDefaultGlobalSize() {
        for (Gemm g : List.of(new Gemm("g", false, true, Dim.batch(1), Dim.of(10), Dim.of(20), 20, 20, 10, 1, 0),
                new Gemm("g", true, false, Dim.of(10), Dim.of(40), Dim.batch(1), 10, 40, 40, 1, 0))) {
            assertThat(g.candidates().get(0)).isEqualTo(g.defaults());
            assertThat(g.candidates()).doesNotHaveDuplicates();
            assertThat(g.global(37)).containsExactly(g.global(37, g.defaults()));
            assertThat(g.named("h").shape()).isEqualTo(g.shape());
            assertThat(g.named("h").name()).isEqualTo("h");
        }
        // the dot-product block 6 x 4 by default: 10 columns in 3 blocks of 4, 37 rows in 7 of 6
        Gemm dot = new Gemm("g", false, true, Dim.batch(1), Dim.of(10), Dim.of(20), 20, 20, 10, 1, 0);
        assertThat(dot.global(37)).containsExactly(3, 7);
        assertThat(dot.global(37, Choice.of("GEMM_ROWS", 2, "GEMM_COLS", 4))).containsExactly(3, 19);
        assertThat(dot.shape()).isEqualTo("gemm A*B^T M=batch N=10 K=20 lda=20 ldb=20 ldc=10 alpha=1.0 beta=0.0");
    }

    private static float[][] copies(float[][] bufs) {
        float[][] out = new float[bufs.length][];
        for (int i = 0; i < bufs.length; i++) out[i] = bufs[i].clone();
        return out;
    }
}
