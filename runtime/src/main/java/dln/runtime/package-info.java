/**
 * The DLN runtime: runs compiled models on OpenCL devices (through JOCL) and on the JVM.
 * Code generation and the runtime land with the next issue; this module holds the build's place.
 */
package dln.runtime;
