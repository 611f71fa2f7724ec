package dln.kernel;

import dln.runtime.host.Team;
import java.util.function.IntConsumer;

/**
 * Runs a reference loop over independent items (rows, examples, channels, elements) on the
 * {@link Team}'s threads when the work is big enough to pay for it, as a few contiguous chunks: a
 * task per item had cost more than an element-wise item's work (Adam's update on the JVM was half of the
 * fashion MLP's training step). Each item must write only its own outputs, so the result is the same
 * as the sequential loop, bit for bit, whatever the thread count.
 */
final class ParallelFor {
    /** Below this many element operations in all, threads cost more than they save. */
    static final long MIN_WORK = 1 << 15;
    /** Chunks per thread: a few, so that a thread slowed by another process does not hold up the rest. */
    private static final int CHUNKS_PER_THREAD = 4;

    /** The body of a chunked loop: items [from, to), in a loop of its own (no call per item). */
    @FunctionalInterface
    interface Chunk {
        void run(int from, int to);
    }

    private ParallelFor() {}

    /** Runs {@code body} over [0, items) in contiguous chunks, in parallel when the work is large enough. */
    static void chunks(int items, long workPerItem, Chunk body) {
        long work = items * Math.max(1, workPerItem);
        int threads = Team.threads();
        int parts = items <= 1 || work < MIN_WORK ? 1
                : (int) Math.min(items, Math.min((long) CHUNKS_PER_THREAD * threads, work / (MIN_WORK / 2)));
        if (parts <= 1) {
            body.run(0, items);
            return;
        }
        Team.run(parts, p -> body.run((int) ((long) items * p / parts), (int) ((long) items * (p + 1) / parts)));
    }

    /**
     * Runs {@code body} over [0, items) in one contiguous block per thread, of at least
     * {@code minItems} items each and each starting at a multiple of {@code align} (each block a whole
     * call of something costly to start, such as a BLAS product that packs its operands); on the
     * calling thread alone when {@code alone}. Unlike the loops above, the blocks depend on the
     * thread count, so a body whose result depends on its block's bounds (a BLAS product's rounding)
     * gives the same bits on machines of the same thread count only.
     */
    static void blocks(int items, int minItems, int align, boolean alone, Chunk body) {
        int threads = Team.threads();
        int parts = alone ? 1 : Math.min(threads, items / Math.max(minItems, align));
        if (parts <= 1) {
            body.run(0, items);
            return;
        }
        int per = (items / align + parts - 1) / parts * align;
        Team.run(parts, p -> body.run(Math.min(items, p * per), p == parts - 1 ? items : Math.min(items, (p + 1) * per)));
    }

    /** Runs {@code body} for each item of [0, items): for items with enough work each (rows, planes, channels). */
    static void range(int items, long workPerItem, IntConsumer body) {
        chunks(items, workPerItem, (from, to) -> {
            for (int i = from; i < to; i++) body.accept(i);
        });
    }
}
