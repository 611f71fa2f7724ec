package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dln.runtime.Backend;
import dln.runtime.Buffer;
import dln.runtime.jvm.JvmBackend;
import dln.runtime.kernel.Kernel;
import java.util.List;
import java.util.Random;

/** Test helpers: run a kernel on a backend, compare OpenCL with the JVM reference, random data. */
public final class KernelCheck {
    private KernelCheck() {}

    /** Runs {@code k} on {@code backend} over copies of {@code bufs} and returns every buffer after it. */
    public static float[][] run(Backend backend, Kernel k, int batch, int step, float[]... bufs) {
        backend.compile(List.of(k));
        Buffer[] args = new Buffer[bufs.length];
        for (int i = 0; i < bufs.length; i++) {
            args[i] = backend.allocate(bufs[i].length);
            backend.write(args[i], bufs[i]);
        }
        backend.launch(k, batch, step, args);
        float[][] out = new float[bufs.length][];
        for (int i = 0; i < bufs.length; i++) {
            out[i] = new float[bufs[i].length];
            backend.read(args[i], out[i]);
        }
        return out;
    }

    /** Runs {@code k} on the JVM and on OpenCL and asserts that every buffer agrees within {@code tol} (relative to 1 + |ref|). */
    public static float[][] sameOnOpenCl(Kernel k, int batch, int step, double tol, float[]... bufs) {
        float[][] ref = run(new JvmBackend(), k, batch, step, bufs);
        Backend cl = Backends.opencl();
        if (cl == null) return ref;
        float[][] got = run(cl, k, batch, step, bufs);
        for (int b = 0; b < ref.length; b++) {
            for (int i = 0; i < ref[b].length; i++) {
                double err = Math.abs(got[b][i] - ref[b][i]) / (1 + Math.abs(ref[b][i]));
                if (!(err <= tol)) {
                    throw new AssertionError(k.name() + ": buffer " + k.args().get(b) + "[" + i + "] is " + got[b][i]
                            + " on OpenCL but " + ref[b][i] + " on the JVM (batch " + batch + ", step " + step + ")");
                }
            }
        }
        return ref;
    }

    public static float[] random(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    public static void assertClose(float[] got, double[] want, double tol, String what) {
        assertThat(got.length).as(what + " length").isEqualTo(want.length);
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i]));
            if (!(err <= tol)) throw new AssertionError(what + "[" + i + "] is " + got[i] + ", expected " + want[i]);
        }
    }
}
