package dln.ir;

import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * One kernel launch of a schedule: the kernel, the buffers it reads and writes in argument order,
 * whether it takes the training step counter (dropout's generator) and a comment for readers.
 */
public record Launch(Kernel kernel, List<String> buffers, boolean counter, String comment) {}
