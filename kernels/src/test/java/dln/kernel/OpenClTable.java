package dln.kernel;

import dln.runtime.Backend;
import dln.runtime.Buffer;
import dln.runtime.cl.ClBackend;
import dln.runtime.jvm.JvmBackend;
import dln.runtime.kernel.Choice;
import dln.runtime.kernel.Kernel;
import dln.runtime.kernel.Tunable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A table of launches to run on the JVM and on OpenCL, compared buffer by buffer as
 * {@link KernelCheck#sameOnOpenCl} does, with NaN equal to NaN and an infinity equal to itself.
 * All the table's kernels are built
 * as one OpenCL program: PoCL takes about 0.2 s a build whatever the program's size, which for a
 * table of forty kernels is most of the test's time.
 */
final class OpenClTable {
    private record Launch(Kernel kernel, int batch, int step, double tol, float[][] bufs) {}

    private final List<Launch> launches = new ArrayList<>();
    private final Map<String, Kernel> kernels = new LinkedHashMap<>();
    private final Map<Tunable, Choice> blocks = new LinkedHashMap<>();

    /** Adds a launch; {@code tol} is relative to 1 + |reference|. */
    OpenClTable add(Kernel k, int batch, int step, double tol, float[]... bufs) {
        Kernel seen = kernels.putIfAbsent(k.name(), k);
        if (seen != null && !seen.equals(k)) throw new IllegalArgumentException("two kernels named " + k.name());
        launches.add(new Launch(k, batch, step, tol, bufs));
        return this;
    }

    /** Adds a launch of a tunable kernel that OpenCL builds with {@code choice} (a build option on the same source). */
    OpenClTable add(Tunable k, Choice choice, int batch, int step, double tol, float[]... bufs) {
        blocks.put(k, choice);
        return add(k, batch, step, tol, bufs);
    }

    /** Runs every launch on both backends and returns the JVM's buffers, in order of adding. */
    List<float[][]> assertSame() {
        return assertSame(Backends.opencl());
    }

    /** {@link #assertSame()} on the OpenCL backend {@code cl} (none when null). */
    List<float[][]> assertSame(Backend cl) {
        if (cl != null) {
            blocks.forEach(((ClBackend) cl)::choose);
            cl.compile(List.copyOf(kernels.values()));
        }
        List<float[][]> results = new ArrayList<>();
        for (Launch l : launches) {
            float[][] ref = run(new JvmBackend(), l);
            if (cl != null) compare(l, ref, run(cl, l));
            results.add(ref);
        }
        return results;
    }

    private static float[][] run(Backend backend, Launch l) {
        Buffer[] args = new Buffer[l.bufs.length];
        for (int i = 0; i < args.length; i++) {
            args[i] = backend.allocate(l.bufs[i].length);
            backend.write(args[i], l.bufs[i]);
        }
        backend.launch(l.kernel, l.batch, l.step, args);
        float[][] out = new float[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = new float[l.bufs[i].length];
            backend.read(args[i], out[i]);
        }
        return out;
    }

    private static void compare(Launch l, float[][] ref, float[][] got) {
        for (int b = 0; b < ref.length; b++) {
            for (int i = 0; i < ref[b].length; i++) {
                if (Float.isNaN(ref[b][i]) && Float.isNaN(got[b][i]) || got[b][i] == ref[b][i]) continue;
                double err = Math.abs(got[b][i] - ref[b][i]) / (1 + Math.abs(ref[b][i]));
                if (!(err <= l.tol)) {
                    throw new AssertionError(l.kernel.name() + ": buffer " + l.kernel.args().get(b) + "[" + i + "] is "
                            + got[b][i] + " on OpenCL but " + ref[b][i] + " on the JVM (batch " + l.batch + ", step " + l.step + ")");
                }
            }
        }
    }
}
