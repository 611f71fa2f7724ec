package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dln.runtime.jvm.JvmBackend;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A transposed convolution runs on the convolution kernels of {@link ConvGeom#transposed}: its
 * forward on ConvBackwardData, its input gradient on ConvForward, its weight gradient on
 * ConvBackwardWeight. Checked against a direct scatter loop written from PyTorch's definition, on
 * OpenCL against the references over odd shapes, and against finite differences.
 */
class ConvTransposeTest {
    /** Transposed geometries: inC, outC, in, kernel, stride, padding, output padding, dilation. */
    private static final List<ConvGeom> SHAPES = List.of(
            ConvGeom.transposed(3, 5, new long[] {7}, new long[] {3}, new long[] {2}, new long[] {1}, new long[] {1}, new long[] {1}),
            ConvGeom.transposed(2, 13, new long[] {9}, new long[] {4}, new long[] {3}, new long[] {0}, new long[] {2}, new long[] {2}),
            ConvGeom.transposed(4, 3, new long[] {5, 6}, new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 0}, new long[] {1, 1}),
            ConvGeom.transposed(13, 2, new long[] {4, 7}, new long[] {2, 5}, new long[] {2, 1}, new long[] {0, 2}, new long[] {0, 0}, new long[] {1, 2}),
            // stride 1, padding that keeps the size: the Java side runs it as a forward convolution
            ConvGeom.transposed(3, 5, new long[] {6, 5}, new long[] {3, 3}, new long[] {1, 1}, new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}));

    @Test void outputSizeIsPyTorchs() {
        // (7 − 1)·2 − 2·1 + 1·(3 − 1) + 1 + 1 = 14, as nn.ConvTranspose1d(3, 5, 3, stride=2, padding=1, output_padding=1)
        assertThat(ConvGeom.transposedOutSize(7, 3, 2, 1, 1, 1)).isEqualTo(14);
        ConvGeom g = SHAPES.get(0);
        assertThat(g.in()).containsExactly(1, 1, 14);
        assertThat(g.out()).containsExactly(1, 1, 7);
        assertThat(g.inChannels()).isEqualTo(5);
        assertThat(g.outChannels()).isEqualTo(3);
        assertThatThrownBy(() -> ConvGeom.transposed(1, 1, new long[] {4}, new long[] {3}, new long[] {2}, new long[] {0}, new long[] {2}, new long[] {3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below the stride");
    }

    @Test void forwardIsPyTorchsScatter() {
        Random r = new Random(41);
        for (ConvGeom g : SHAPES) {
            int batch = 3;
            float[] x = KernelCheck.random(r, xSize(g) * batch, 1), w = KernelCheck.random(r, wSize(g), 1);
            float[] y = forward(g, batch, x, w);
            KernelCheck.assertClose(y, scatter(g, batch, x, w), 1e-5, "transposed convolution " + g);
        }
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(43);
        OpenClTable table = new OpenClTable();
        for (int s = 0; s < SHAPES.size(); s++) {
            ConvGeom g = SHAPES.get(s);
            int x = xSize(g), y = ySize(g), w = wSize(g);
            for (int batch : new int[] {1, 6}) {
                table.add(new ConvBackwardData("t_convt_fwd_" + s, g), batch, 0, 1e-5,
                        KernelCheck.random(r, x * batch, 1), KernelCheck.random(r, w, 1), KernelCheck.random(r, y * batch, 1));
                table.add(new ConvForward("t_convt_dx_" + s, g), batch, 0, 1e-5,
                        KernelCheck.random(r, y * batch, 1), KernelCheck.random(r, w, 1), KernelCheck.random(r, x * batch, 1));
                table.add(new ConvBackwardWeight("t_convt_dweight_" + s, g), batch, 0, 1e-4,
                        KernelCheck.random(r, y * batch, 1), KernelCheck.random(r, x * batch, 1), KernelCheck.random(r, w, 1));
            }
        }
        table.assertSame();
    }

    @Test void gradientsMatchFiniteDifferences() {
        Random r = new Random(47);
        for (ConvGeom g : List.of(SHAPES.get(0), SHAPES.get(2), SHAPES.get(3))) {
            int batch = 2;
            float[] x = KernelCheck.random(r, xSize(g) * batch, 1), w = KernelCheck.random(r, wSize(g), 1);
            float[] dy = KernelCheck.random(r, ySize(g) * batch, 1);
            float[] dx = new float[x.length], dw = new float[w.length];
            new ConvForward("fd", g).reference(batch, 0, new float[][] {dy, w, dx});
            new ConvBackwardWeight("fd", g).reference(batch, 0, new float[][] {dy, x, dw});
            FiniteDifferences.assertMatches(dx, FiniteDifferences.gradient(x, p -> FiniteDifferences.dot(dy, forward(g, batch, p, w))), "dx " + g);
            FiniteDifferences.assertMatches(dw, FiniteDifferences.gradient(w, p -> FiniteDifferences.dot(dy, forward(g, batch, x, p))), "dweight " + g);
        }
    }

    /** The transposed convolution's input [inC', in'] is the convolution's output; its output the convolution's input. */
    private static int xSize(ConvGeom g) { return (int) (g.outChannels() * g.outVolume()); }
    private static int ySize(ConvGeom g) { return (int) (g.inChannels() * g.inVolume()); }
    private static int wSize(ConvGeom g) { return (int) (g.outChannels() * g.taps()); }

    private static float[] forward(ConvGeom g, int batch, float[] x, float[] w) {
        return KernelCheck.run(new JvmBackend(), new ConvBackwardData("ref", g), batch, 0, x, w, new float[ySize(g) * batch])[2];
    }

    /** PyTorch's definition: each input element adds x·w[ci, co, tap] at out = in·stride − padding + tap·dilation. */
    private static double[] scatter(ConvGeom g, int batch, float[] x, float[] w) {
        long[] in = g.out(), out = g.in(), k = g.kernel(), s = g.stride(), p = g.padding(), d = g.dilation();
        int inC = (int) g.outChannels(), outC = (int) g.inChannels(), inVol = (int) g.outVolume(), outVol = (int) g.inVolume(), kVol = (int) g.kernelVolume();
        double[] y = new double[batch * outC * outVol];
        for (int n = 0; n < batch; n++) {
            for (int ci = 0; ci < inC; ci++) {
                for (int i = 0; i < inVol; i++) {
                    long[] at = {i / (in[1] * in[2]), i / in[2] % in[1], i % in[2]};
                    for (int t = 0; t < kVol; t++) {
                        long[] tap = {t / (k[1] * k[2]), t / k[2] % k[1], t % k[2]};
                        long o = 0;
                        boolean inside = true;
                        for (int a = 0; a < 3; a++) {
                            long v = at[a] * s[a] - p[a] + tap[a] * d[a];
                            inside &= v >= 0 && v < out[a];
                            o = o * out[a] + v;
                        }
                        if (!inside) continue;
                        float xv = x[(n * inC + ci) * inVol + i];
                        for (int co = 0; co < outC; co++) y[(n * outC + co) * outVol + (int) o] += xv * w[(ci * outC + co) * kVol + t];
                    }
                }
            }
        }
        return y;
    }
}
