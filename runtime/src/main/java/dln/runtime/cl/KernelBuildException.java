package dln.runtime.cl;

/** An OpenCL program that the device's compiler rejected, with its build log. */
public final class KernelBuildException extends RuntimeException {
    private final String source;

    KernelBuildException(String device, String log, String source) {
        super("the OpenCL compiler of " + device + " rejected the generated kernels:\n" + log);
        this.source = source;
    }

    /** The program that failed to build, to save next to the error for a bug report. */
    public String source() { return source; }
}
