/**
 * What the host machine lends the runtime: its native libraries, found and loaded quietly before
 * JOCL or netlib would try ({@link dln.runtime.host.NativeLibraries}), and matrix products through
 * its BLAS ({@link dln.runtime.host.Blas}), which the kernels' Java references use.
 */
package dln.runtime.host;
