package dln.cli;

import dln.check.SourceRoots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * `-I DIR` / `--import-path DIR`, as protoc's: the folders, besides the main file's own, from which
 * a `.dln` file may import (docs/SECURITY.md says why there are any limits).
 */
final class ImportPath {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-I", "--import-path"}, paramLabel = "DIR",
            description = "A folder .dln files may import from, besides the main file's own (repeatable).")
    List<Path> folders = new ArrayList<>();

    /** The roots for {@code mainFile}; a folder that is not one is a usage error. */
    SourceRoots roots(Path mainFile) {
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--import-path " + folder + ": " + (Files.exists(folder) ? "not a folder" : "no such folder"));
            }
        }
        return SourceRoots.forCommandLine(mainFile, folders);
    }
}
