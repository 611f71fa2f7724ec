package dln.kernel;

import dln.runtime.Backend;
import dln.runtime.Buffer;
import dln.runtime.kernel.Kernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Prints the OpenCL time a launch of each kernel of LeNet-5's convolutional part takes at batch 64
 * (forward, and the training step's gradients), the kernels timed in turn, round after round, so
 * that the machine's load falls on all of them alike: the median and best of the rounds. A main, not
 * a test: {@code java -cp <runtime classes, test classes, dependencies> dln.kernel.StepBench [rounds]}.
 */
public final class StepBench {
    private StepBench() {}

    record Entry(String what, Kernel kernel, int[] sizes, List<Double> times) {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30, batch = 64;
        Backend cl = Backends.opencl();
        if (cl == null) {
            System.out.println("no OpenCL device");
            return;
        }
        System.out.println("OpenCL: " + cl.description());
        ConvGeom c1 = ConvGeom.of(1, 6, new long[] {28, 28}, new long[] {5, 5}, new long[] {1, 1}, new long[] {2, 2}, new long[] {1, 1});
        ConvGeom c2 = ConvGeom.of(6, 16, new long[] {14, 14}, new long[] {5, 5}, new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1});
        PoolGeom p1 = PoolGeom.of(6, new long[] {28, 28}, new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0});
        PoolGeom p2 = PoolGeom.of(16, new long[] {10, 10}, new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0});
        int x1 = 784, y1 = 6 * 784, x2 = 6 * 196, y2 = 16 * 100, o2 = 16 * 25;
        Epilogue relu = new Epilogue(true, Act.RELU, 0);
        List<Entry> all = new ArrayList<>();
        add(all, "a launch doing nothing much", new SliceCopy("sb_tiny", Dim.batch(1), 1, 1, 0, false), batch, batch);
        add(all, "conv1 forward (relu)", new ConvForward("sb_c1_fwd", c1, relu), batch * x1, 150, batch * y1, 6);
        add(all, "pool1 forward", new PoolForward("sb_p1_fwd", p1, true), batch * y1, batch * x2);
        add(all, "conv2 forward (relu)", new ConvForward("sb_c2_fwd", c2, relu), batch * x2, 2400, batch * y2, 16);
        add(all, "pool2 forward", new PoolForward("sb_p2_fwd", p2, true), batch * y2, batch * o2);
        add(all, "pool2 input grad (relu)", new PoolBackward("sb_p2_dx", p2, true).withAct(Act.RELU, 0), batch * y2, batch * o2, batch * y2);
        add(all, "conv2 weight grad", new ConvBackwardWeight("sb_c2_dw", c2, true), batch * x2, batch * y2, 2400, 16);
        add(all, "conv2 bias grad", new BiasGrad("sb_c2_db", Dim.batch(1), 16, 100), batch * y2, 16);
        add(all, "conv2 input grad", new ConvBackwardData("sb_c2_dx", c2), batch * y2, 2400, batch * x2);
        add(all, "pool1 input grad (relu)", new PoolBackward("sb_p1_dx", p1, true).withAct(Act.RELU, 0), batch * y1, batch * x2, batch * y1);
        add(all, "conv1 weight grad", new ConvBackwardWeight("sb_c1_dw", c1, true), batch * x1, batch * y1, 150, 6);
        add(all, "conv1 bias grad", new BiasGrad("sb_c1_db", Dim.batch(1), 6, 784), batch * y1, 6);
        cl.compile(all.stream().map(Entry::kernel).toList());
        Random r = new Random(1);
        List<Buffer[]> bufs = new ArrayList<>();
        for (Entry e : all) {
            Buffer[] b = new Buffer[e.sizes().length];
            for (int i = 0; i < b.length; i++) {
                b[i] = cl.allocate(e.sizes()[i]);
                cl.write(b[i], KernelCheck.random(r, e.sizes()[i], 1));
            }
            bufs.add(b);
            cl.launch(e.kernel(), batch, 0, b);
        }
        cl.finish();
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < all.size(); i++) {
                long t = System.nanoTime();
                cl.launch(all.get(i).kernel(), batch, 0, bufs.get(i));
                cl.finish();
                all.get(i).times().add((System.nanoTime() - t) * 1e-6);
            }
        }
        System.out.printf(Locale.ROOT, "%-34s %9s %9s%n", "kernel (batch " + batch + ")", "median ms", "best ms");
        for (Entry e : all) {
            double[] t = e.times().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "%-34s %9.3f %9.3f%n", e.what(), t[t.length / 2], t[0]);
        }
    }

    private static void add(List<Entry> all, String what, Kernel k, int... sizes) {
        all.add(new Entry(what, k, sizes, new ArrayList<>()));
    }
}
