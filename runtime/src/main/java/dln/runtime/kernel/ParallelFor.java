package dln.runtime.kernel;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Runs a reference loop over independent items (rows, examples, channels) on the common fork-join
 * pool when the work is big enough to pay for it. Each item must write only its own outputs, so
 * the result is the same as the sequential loop, bit for bit, whatever the thread count.
 */
final class ParallelFor {
    /** Below this many element operations in all, threads cost more than they save. */
    static final long MIN_WORK = 1 << 15;

    private ParallelFor() {}

    static void range(int items, long workPerItem, IntConsumer body) {
        if (items > 1 && items * workPerItem >= MIN_WORK) IntStream.range(0, items).parallel().forEach(body);
        else for (int i = 0; i < items; i++) body.accept(i);
    }
}
