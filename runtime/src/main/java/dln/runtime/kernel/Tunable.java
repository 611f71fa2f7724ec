package dln.runtime.kernel;

import java.util.List;

/**
 * A kernel whose block sizes are parameters of its OpenCL source ({@link Choice}): the emitted text
 * holds the defaults, and a build option picks another candidate, so the program that runs is still
 * the one emitted. The block sizes decide the global size, never the results beyond rounding: every
 * candidate computes the same thing as {@link #reference}.
 */
public interface Tunable extends Kernel {

    /** The block sizes the emitted source takes when no build option says otherwise. */
    Choice defaults();

    /** The block sizes a tuner tries, the defaults first. */
    List<Choice> candidates();

    /** The global work size for this batch with these block sizes. */
    long[] global(int batch, Choice blocks);

    @Override default long[] global(int batch) { return global(batch, defaults()); }

    /**
     * The work-group size with these block sizes: {@link #local()} unless a block size decides how
     * the work-items of a group share the work (the examples a convolution's weight gradient splits
     * among a group's work-items).
     */
    default long[] local(Choice blocks) { return local(); }

    /**
     * Whether with these block sizes the work-items never look at their group although the source
     * names group functions: those are compiled out for this choice (a convolution's weight gradient
     * whose batch is not split), so the group may be fitted to the device like any independent
     * kernel's ({@code dln.runtime.cl.GroupSizes}).
     */
    default boolean groupFree(Choice blocks) { return false; }

    /**
     * What the kernel computes with every size, but not its name: two kernels of one shape are the
     * same work, and a tuned choice is kept under this key.
     */
    String shape();

    /** The same kernel under another name (a tuner builds several candidates side by side). */
    Tunable named(String name);

    /** The length in floats of each buffer argument at this batch, in launch order (to time the kernel on made-up data). */
    long[] sizes(int batch);
}
