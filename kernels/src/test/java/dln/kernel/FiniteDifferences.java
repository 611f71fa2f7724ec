package dln.kernel;

import java.util.function.ToDoubleFunction;

/**
 * Central finite differences, the outside reference for every gradient kernel. The function is
 * evaluated in double over a kernel's float outputs; the step is the distance between the two
 * float points actually evaluated, so rounding the step into float costs no accuracy.
 *
 * <p>Tolerance: with step h, truncation error is about h²/6·|f'''| and the float rounding of the
 * outputs (relative 6e-8, summed over n outputs) adds about 6e-8·√n·|f|/h. With h = 1e-2 both stay
 * near 1e-5 for the smooth, O(1) functions the tests build, so 1e-3 relative to 1 + |gradient|
 * passes a right gradient with a wide margin and still fails any wrong factor or missing term.
 */
final class FiniteDifferences {
    static final float STEP = 1e-2f;
    static final double TOLERANCE = 1e-3;

    private FiniteDifferences() {}

    /** The gradient of f at x, one coordinate at a time; x is left as it was. */
    static double[] gradient(float[] x, ToDoubleFunction<float[]> f) {
        double[] g = new double[x.length];
        float[] p = x.clone();
        for (int i = 0; i < x.length; i++) {
            float up = x[i] + STEP, down = x[i] - STEP;
            p[i] = up;
            double fUp = f.applyAsDouble(p);
            p[i] = down;
            double fDown = f.applyAsDouble(p);
            p[i] = x[i];
            g[i] = (fUp - fDown) / ((double) up - down);
        }
        return g;
    }

    /** Σ r·y in double: a scalar whose gradient with respect to y is r, to test a backward pass with dy = r. */
    static double dot(float[] r, float[] y) {
        double s = 0;
        for (int i = 0; i < r.length; i++) s += (double) r[i] * y[i];
        return s;
    }

    /** Asserts an analytic gradient against the numeric one. */
    static void assertMatches(float[] analytic, double[] numeric, String what) {
        KernelCheck.assertClose(analytic, numeric, TOLERANCE, what);
    }
}
