/** The JVM backend: kernels run as their Java reference implementations, matrix products through BLAS. */
package dln.runtime.jvm;
