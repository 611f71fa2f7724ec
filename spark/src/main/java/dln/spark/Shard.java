package dln.spark;

/**
 * Worker {@code worker}'s share of a batch of {@code m} examples: examples {@code from} to
 * {@code to} (exclusive) of it. The shares are consecutive, in worker order, and differ in size by
 * at most one, so the workers together take the batch exactly once.
 */
record Shard(int from, int to) {

    static Shard of(int m, int worker, int workers) {
        return new Shard((int) ((long) m * worker / workers), (int) ((long) m * (worker + 1) / workers));
    }

    int count() { return to - from; }

    /**
     * The weight of this share's mean-loss gradient in the batch's: {@code count / m}, so that the
     * workers' weighted gradients add up to the gradient of the whole batch's mean loss.
     */
    float weight(int m) { return (float) count() / m; }
}
