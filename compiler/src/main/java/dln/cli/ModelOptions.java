package dln.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What the running commands share: the .dln file, which model in it, and which device. */
final class ModelOptions {
    @Parameters(paramLabel = "FILE", description = "The .dln file.")
    String file;

    @Option(names = "--model", paramLabel = "NAME", description = "The model to use when the file has several.")
    String modelName;

    @Option(names = "--device", paramLabel = "DEVICE", description = "gpu, cpu, java, auto or a device number (default: DLN_DEVICE, else auto).")
    String device;
}
