/** The OpenCL backend: devices found and driven through JOCL. */
package dln.runtime.cl;
