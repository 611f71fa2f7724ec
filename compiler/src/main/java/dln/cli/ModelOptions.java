package dln.cli;

import dln.check.SourceRoots;
import java.nio.file.Path;
import picocli.CommandLine;
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

    @CommandLine.Mixin
    ImportPath importPath = new ImportPath();

    /** The folders {@link #file} may import from. */
    SourceRoots roots() {
        return importPath.roots(Path.of(file));
    }
}
