package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * Nearest-neighbour upsampling by a whole factor on every spatial axis, as PyTorch's
 * nn.Upsample(scale_factor=s, mode='nearest'): x [C, S...] gives y [C, S·s...] with
 * y[c, o...] = x[c, o/s...], for 1 to 3 spatial axes (taken as [D, H, W] with leading axes of 1,
 * which are not scaled). The gradient sums the s^k copies of each input: one work-item per input
 * element, so that no two write one place and the sum's order is fixed.
 */
public final class UpsampleKernels {
    private UpsampleKernels() {}

    /** The sizes of an example: {@code in} the spatial axes of x (1 to 3), each scaled by {@code scale}. */
    public record Geometry(long channels, List<Long> in, long scale) {
        public Geometry {
            in = List.copyOf(in);
            if (in.isEmpty() || in.size() > 3) throw new IllegalArgumentException("upsampling takes 1 to 3 spatial axes, not " + in.size());
            if (scale < 1) throw new IllegalArgumentException("upsampling scale must be at least 1, not " + scale);
        }

        /** The input's spatial sizes as [D, H, W]. */
        int[] sizes() {
            int[] s = {1, 1, 1};
            for (int i = 0; i < in.size(); i++) s[3 - in.size() + i] = Math.toIntExact(in.get(i));
            return s;
        }

        /** The scale of each of [D, H, W]: 1 on the axes the input does not have. */
        int[] scales() {
            int[] s = {1, 1, 1};
            for (int i = 3 - in.size(); i < 3; i++) s[i] = Math.toIntExact(scale);
            return s;
        }

        /** The output's spatial sizes. */
        public List<Long> out() { return in.stream().map(n -> Math.multiplyExact(n, scale)).toList(); }

        long inVolume() { return in.stream().reduce(1L, Math::multiplyExact); }

        long outVolume() { return out().stream().reduce(1L, Math::multiplyExact); }

        /** For each output position of a channel, in order, the position of the input it copies. */
        int[] sources() {
            int[] n = sizes(), s = scales();
            int ho = n[1] * s[1], wo = n[2] * s[2];
            int[] from = new int[Math.toIntExact(outVolume())];
            for (int o = 0; o < from.length; o++) {
                int ow = o % wo, oh = o / wo % ho, od = o / (wo * ho);
                from[o] = ((od / s[0]) * n[1] + oh / s[1]) * n[2] + ow / s[2];
            }
            return from;
        }
    }

    /** y = x repeated {@code scale} times along every spatial axis; one work-item per output element. */
    public record Forward(String name, Geometry g) implements Kernel {
        public List<String> args() { return List.of("x", "y"); }

        public void reference(int batch, int step, float[][] b) {
            float[] x = b[0], y = b[1];
            int[] from = g.sources();
            int inVol = (int) g.inVolume(), outVol = from.length;
            ParallelFor.range(batch * (int) g.channels(), outVol, p -> {
                for (int o = 0; o < outVol; o++) y[p * outVol + o] = x[p * inVol + from[o]];
            });
        }

        public void opencl(C out) {
            int[] n = g.sizes(), s = g.scales();
            int ho = n[1] * s[1], wo = n[2] * s[2];
            out.line("// y [N, %d, %s] = x [N, %d, %s], each value repeated %d times per spatial axis.", g.channels(), g.out(), g.channels(), g.in(), g.scale());
            out.kernel(name, "const x", "y");
            out.line("const int i = get_global_id(0);");
            out.line("if (i >= %s) return;", Dim.batch(g.channels() * g.outVolume()).c());
            out.line("const int p = i / %d, o = i %% %d;", g.outVolume(), g.outVolume());
            out.line("const int ow = o %% %d, oh = o / %d %% %d, od = o / %d;", wo, wo, ho, wo * ho);
            out.line("y[i] = x[p * %d + ((od / %d) * %d + oh / %d) * %d + ow / %d];", g.inVolume(), s[0], n[1], s[1], n[2], s[2]);
            out.line("}");
        }

        public long[] global(int batch) { return new long[] {Dim.batch(g.channels() * g.outVolume()).at(batch)}; }

        @Override public long[] local() { return WorkGroups.items(); }
    }

    /** dx = the sum of dy over the copies of each input (overwritten); one work-item per input element. */
    public record Backward(String name, Geometry g) implements Kernel {
        public List<String> args() { return List.of("dy", "dx"); }

        /** Adds the copies in output order, which for each input is the order of the OpenCL kernel's loops. */
        public void reference(int batch, int step, float[][] b) {
            float[] dy = b[0], dx = b[1];
            int[] from = g.sources();
            int inVol = (int) g.inVolume(), outVol = from.length;
            ParallelFor.range(batch * (int) g.channels(), outVol, p -> {
                java.util.Arrays.fill(dx, p * inVol, (p + 1) * inVol, 0f);
                for (int o = 0; o < outVol; o++) dx[p * inVol + from[o]] += dy[p * outVol + o];
            });
        }

        public void opencl(C out) {
            int[] n = g.sizes(), s = g.scales();
            int ho = n[1] * s[1], wo = n[2] * s[2];
            out.line("// dx [N, %d, %s] = the sum of dy over the %d copies of each value.", g.channels(), g.in(), s[0] * s[1] * s[2]);
            out.kernel(name, "const dy", "dx");
            out.line("const int i = get_global_id(0);");
            out.line("if (i >= %s) return;", Dim.batch(g.channels() * g.inVolume()).c());
            out.line("const int p = i / %d, k = i %% %d;", g.inVolume(), g.inVolume());
            out.line("const int w = k %% %d, h = k / %d %% %d, d = k / %d;", n[2], n[2], n[1], n[2] * n[1]);
            out.line("__global const float* from = dy + p * %d + (d * %d + h * %d) * %d + w * %d;", g.outVolume(), s[0] * ho, s[1], wo, s[2]);
            out.line("float sum = 0.0f;");
            out.line("for (int a = 0; a < %d; a++) for (int b = 0; b < %d; b++) for (int c = 0; c < %d; c++) sum += from[(a * %d + b) * %d + c];",
                    s[0], s[1], s[2], ho, wo);
            out.line("dx[i] = sum;");
            out.line("}");
        }

        public long[] global(int batch) { return new long[] {Dim.batch(g.channels() * g.inVolume()).at(batch)}; }

        @Override public long[] local() { return WorkGroups.items(); }
    }
}
