package dln.train;

import java.util.SplittableRandom;

/**
 * Seeded randomness that depends only on the seed and on what it is for: the split of the data,
 * epoch {@code e}'s order, batch {@code b}'s augmentation. A run resumed at any epoch therefore
 * draws exactly what the uninterrupted run drew, with no generator state to save.
 */
public final class Shuffle {
    private Shuffle() {}

    /** A generator for {@code purpose} and its indices (epoch, batch), under {@code seed}. */
    public static SplittableRandom random(long seed, String purpose, long... indices) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        h = mix(h + purpose.hashCode());
        for (long i : indices) h = mix(h + i);
        return new SplittableRandom(h);
    }

    /** A uniformly random order of 0..n-1 (Fisher–Yates). */
    public static int[] permutation(int n, SplittableRandom random) {
        int[] order = identity(n);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    public static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        return order;
    }

    /** SplitMix64's finalizer: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
