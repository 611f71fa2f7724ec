package dln.runtime.cl;

/** A model whose kernels need more of a device (work-group size, local memory) than it has: another device will run it. */
public final class DeviceTooSmall extends RuntimeException {
    DeviceTooSmall(String message) { super(message + "; choose another device with --device"); }
}
