/**
 * What a kernel is to the runtime: the contract that backends and generated models rely on, and no
 * op. A {@link dln.runtime.kernel.Kernel} has every size but the batch fixed and carries both its
 * Java reference implementation and its OpenCL C source (written through {@link dln.runtime.kernel.C});
 * a {@link dln.runtime.kernel.Tunable} one has block sizes ({@link dln.runtime.kernel.Choice}) that
 * build options pick. The op kernels themselves are package {@code dln.kernel}, module kernels.
 */
package dln.runtime.kernel;
