package dln.cli;

import dln.check.SourceRoots;
import dln.runtime.device.Backends;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** What the running commands share: the .dln file, which model in it, and which device. */
final class ModelOptions {
    @Parameters(paramLabel = "FILE", description = "The .dln file.")
    String file;

    @Option(names = "--model", paramLabel = "NAME", description = "The model to use when the file has several.")
    String modelName;

    @Option(names = "--device", paramLabel = "DEVICE", converter = Device.class,
            description = "gpu, cpu, java, auto or a device number (default: DLN_DEVICE, else auto).")
    String device;

    @CommandLine.Mixin
    ImportPath importPath = new ImportPath();

    /** The folders {@link #file} may import from. */
    SourceRoots roots() {
        return importPath.roots(Path.of(file));
    }

    /** A device choice of a valid form; an unknown one is a usage error that lists the choices. */
    static final class Device implements ITypeConverter<String> {
        @Override public String convert(String text) {
            if (text.isBlank()) throw new TypeConversionException("an empty device; " + Backends.choices());
            try {
                return Backends.check(text);
            } catch (Backends.NoSuchDevice e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
