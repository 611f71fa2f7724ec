/**
 * The DLN runtime: runs compiled models. A generated model class is a straight-line schedule of
 * {@link dln.runtime.kernel.Kernel kernels} launched on a {@link dln.runtime.Backend}: the OpenCL
 * backend (through JOCL, on a GPU or a CPU device) or the JVM backend, which runs each kernel's
 * Java reference implementation.
 */
package dln.runtime;
