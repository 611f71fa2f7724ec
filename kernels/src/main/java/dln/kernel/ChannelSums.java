package dln.kernel;

/**
 * Sums over one channel of an [N, C, S] buffer for the Java references (batch norm, bias
 * gradients): the channel's values are N runs of S floats, one run every C·S.
 */
final class ChannelSums {
    private ChannelSums() {}

    /**
     * The sum of a channel's values: {@code runs} runs of {@code len} floats, one every {@code stride}
     * from {@code first}. Four double accumulators take every fourth value of a run and are added at
     * the end: a fixed order, with four times the throughput of one chain of additions.
     */
    static double sum(float[] x, int first, int stride, int runs, int len) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int r = 0, at = first; r < runs; r++, at += stride) {
            int i = at;
            for (; i + 4 <= at + len; i += 4) {
                s0 += x[i];
                s1 += x[i + 1];
                s2 += x[i + 2];
                s3 += x[i + 3];
            }
            for (; i < at + len; i++) s0 += x[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** The sum of (x − mu)² over a channel's values, laid out and added up as in {@link #sum}. */
    static double squares(float[] x, int first, int stride, int runs, int len, float mu) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int r = 0, at = first; r < runs; r++, at += stride) {
            int i = at;
            for (; i + 4 <= at + len; i += 4) {
                float d0 = x[i] - mu, d1 = x[i + 1] - mu, d2 = x[i + 2] - mu, d3 = x[i + 3] - mu;
                s0 += (double) d0 * d0;
                s1 += (double) d1 * d1;
                s2 += (double) d2 * d2;
                s3 += (double) d3 * d3;
            }
            for (; i < at + len; i++) {
                float d = x[i] - mu;
                s0 += (double) d * d;
            }
        }
        return (s0 + s1) + (s2 + s3);
    }
}
