/**
 * Where a model runs: {@link dln.runtime.device.Backends} turns a device name (`--device`,
 * DLN_DEVICE, auto) into an OpenCL or a JVM backend. It stands above both backends, so that
 * {@code dln.runtime} itself holds only what they implement and what models call.
 */
package dln.runtime.device;
