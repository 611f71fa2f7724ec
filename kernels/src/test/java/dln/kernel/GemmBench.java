package dln.kernel;

import dln.runtime.Backend;
import dln.runtime.Buffer;
import dln.runtime.kernel.Kernel;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Prints GFLOP/s of Gemm at 1024³ (every transpose) and of LeNet-sized convolutions (forward and
 * both gradients), on OpenCL and on the JVM. A main, not a test:
 * {@code java -cp <runtime classes, test classes, dependencies> dln.kernel.GemmBench [reps]}.
 * Each figure is the best of the repetitions (each {@link #QUEUED} launches queued, as a model
 * runs them; OpenCL also each launch waited for), after one warm-up launch (which builds the kernel).
 */
public final class GemmBench {
    private GemmBench() {}

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Backend cl = Backends.opencl(), jvm = Backends.jvm();
        System.out.println("OpenCL: " + (cl == null ? "skipped" : cl.description()));
        System.out.println("JVM:    " + jvm.description());
        int n = 1024;
        for (boolean[] t : new boolean[][] {{false, false}, {false, true}, {true, false}, {true, true}}) {
            Gemm g = new Gemm("bench_gemm_" + (t[0] ? "t" : "n") + (t[1] ? "t" : "n"), t[0], t[1], Dim.of(n), Dim.of(n), Dim.of(n), n, n, n, 1, 0);
            report("gemm 1024^3 " + (t[0] ? "A^T" : "A") + (t[1] ? "*B^T" : "*B"), 2.0 * n * n * n, g, 1, reps, cl, jvm, n * n, n * n, n * n);
        }
        // the products of fashion_mlp and lenet5's dense layers at batch 64 (training) and 256 (prediction):
        // forward x·Wᵀ, weight gradient dzᵀ·x, input gradient dz·W
        for (int[] layer : new int[][] {{784, 256}, {256, 128}, {400, 120}, {120, 84}}) {
            int in = layer[0], units = layer[1];
            for (int rows : new int[] {64, 256}) {
                String what = "dense %d->%d batch %d".formatted(in, units, rows);
                double flops = 2.0 * rows * in * units;
                report(what + " forward", flops, new Gemm("bench_fwd_" + in + "_" + units + "_" + rows, false, true, Dim.of(rows), Dim.of(units), Dim.of(in), in, in, units, 1, 0),
                        1, reps, cl, jvm, rows * in, units * in, rows * units);
                if (rows == 256) continue;
                report(what + " weight grad", flops, new Gemm("bench_dw_" + in + "_" + units, true, false, Dim.of(units), Dim.of(in), Dim.of(rows), units, in, in, 1, 0),
                        1, reps, cl, jvm, rows * units, rows * in, units * in);
                report(what + " input grad", flops, new Gemm("bench_dx_" + in + "_" + units, false, false, Dim.of(rows), Dim.of(in), Dim.of(units), units, in, in, 1, 0),
                        1, reps, cl, jvm, rows * units, units * in, rows * in);
            }
        }
        // LeNet-5's second convolution (6 -> 16 channels, 5x5, on 14x14) and first (1 -> 6, 5x5, on 32x32),
        // and a padded 3x3 one (16 -> 16 on 32x32, padding 1) as in small CIFAR networks; batch 64
        int batch = 64;
        for (ConvGeom g : List.of(
                ConvGeom.of(6, 16, new long[] {14, 14}, new long[] {5, 5}, new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}),
                ConvGeom.of(1, 6, new long[] {32, 32}, new long[] {5, 5}, new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}),
                ConvGeom.of(16, 16, new long[] {32, 32}, new long[] {3, 3}, new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}))) {
            int x = (int) (g.inChannels() * g.inVolume()) * batch, y = (int) (g.outChannels() * g.outVolume()) * batch;
            int w = (int) (g.outChannels() * g.taps());
            double flops = 2.0 * batch * g.outChannels() * g.outVolume() * g.taps();
            String what = "conv %d->%d %dx%d k%d p%d, batch %d".formatted(g.inChannels(), g.outChannels(), g.in()[1], g.in()[2], g.kernel()[2],
                    g.padding()[2], batch);
            String id = g.inChannels() + "_" + g.outChannels();
            report(what + " forward", flops, new ConvForward("bench_conv_fwd_" + id, g), batch, reps, cl, jvm, x, w, y);
            report(what + " input grad", flops, new ConvBackwardData("bench_conv_bwd_data_" + id, g), batch, reps, cl, jvm, y, w, x);
            report(what + " weight grad", flops, new ConvBackwardWeight("bench_conv_bwd_weight_" + id, g), batch, reps, cl, jvm, x, y, w);
        }
    }

    private static void report(String what, double flops, Kernel k, int batch, int reps, Backend cl, Backend jvm, int... sizes) {
        String line = String.format(Locale.ROOT, "%-44s JVM %7.1f GFLOP/s", what, flops / best(jvm, k, batch, reps, QUEUED, sizes) * 1e-9);
        if (cl != null) {
            line += String.format(Locale.ROOT, "   OpenCL %7.1f GFLOP/s (each launch waited for: %.1f)", flops / best(cl, k, batch, reps, QUEUED, sizes) * 1e-9,
                    flops / best(cl, k, batch, reps, 1, sizes) * 1e-9);
        }
        System.out.println(line);
    }

    /**
     * The time of one launch, in seconds: the best of {@code reps} rounds of {@code perRound} launches
     * queued back to back and then waited for, after a warm-up launch. A model queues its launches
     * ({@link #QUEUED} a round); waiting for each one ({@code perRound} 1) also measures the device's
     * latency to start and report a kernel, 15-35 µs on PoCL, most of a small product's time and none
     * of a model's.
     */
    private static double best(Backend b, Kernel k, int batch, int reps, int perRound, int... sizes) {
        b.compile(List.of(k));
        Random r = new Random(1);
        Buffer[] bufs = new Buffer[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            bufs[i] = b.allocate(sizes[i]);
            b.write(bufs[i], KernelCheck.random(r, sizes[i], 1));
        }
        b.launch(k, batch, 0, bufs);
        b.finish();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            for (int j = 0; j < perRound; j++) b.launch(k, batch, 0, bufs);
            b.finish();
            best = Math.min(best, (System.nanoTime() - t) * 1e-9 / perRound);
        }
        return best;
    }

    /** Launches queued per timed round. */
    private static final int QUEUED = 20;
}
