/**
 * The kernels compiled models are made of. Each kernel is a record with every size but the batch
 * fixed, and carries both its Java reference implementation and its OpenCL C source.
 */
package dln.runtime.kernel;
