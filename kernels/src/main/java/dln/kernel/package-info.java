/**
 * The op kernels compiled models are made of: matrix products, convolutions, pooling, losses,
 * optimizer updates and the rest. Each is a record with every size fixed but the batch, and carries
 * its Java reference implementation beside the OpenCL C it writes into the program the compiler
 * emits; the tests hold the OpenCL to the reference. They implement the runtime's contract
 * ({@link dln.runtime.kernel.Kernel}), so that the runtime runs them without naming any.
 */
package dln.kernel;

import dln.runtime.kernel.Kernel;
