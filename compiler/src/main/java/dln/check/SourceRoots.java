package dln.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The folders a compilation may import from: a project's own sources. A `.dln` file comes from a
 * repository its reader may have just cloned, and the language server and the Maven plugin check
 * it unasked: an import must not make the compiler read (and quote in a diagnostic, which may land
 * in a public CI log) a file outside the project, nor block on a pipe or a device. So an import
 * names a `.dln` file whose real path, links followed, lies inside one of these folders.
 *
 * @param folders absolute, normalized folders
 * @param howToAdd what the user of this tool does to add a folder, said in the error
 */
public record SourceRoots(List<Path> folders, String howToAdd) {
    public SourceRoots {
        List<Path> absolute = new ArrayList<>();
        for (Path folder : folders) absolute.add(folder.toAbsolutePath().normalize());
        folders = List.copyOf(absolute);
    }

    /** No folder at all: text that is in no file imports nothing. */
    public static final SourceRoots NONE = new SourceRoots(List.of(), "save the file in a project folder");

    /** `dlnc`'s roots: the main file's folder and the `--import-path` folders. */
    public static SourceRoots forCommandLine(Path mainFile, List<Path> importPath) {
        List<Path> folders = new ArrayList<>();
        folders.add(folderOf(mainFile));
        folders.addAll(importPath);
        return new SourceRoots(folders, "add the folder that holds it with `--import-path DIR`");
    }

    /** The folder that holds {@code file}. */
    public static Path folderOf(Path file) {
        Path parent = file.toAbsolutePath().normalize().getParent();
        return parent == null ? file.toAbsolutePath().getRoot() : parent;
    }

    /** Whether {@code file} lies inside a root, by its name alone. */
    public boolean containsLexically(Path file) {
        Path path = file.toAbsolutePath().normalize();
        return folders.stream().anyMatch(path::startsWith);
    }

    /**
     * Whether {@code path}, which need not exist yet (a folder to write), lies inside a root both by
     * its name and, links followed, by the real path of its nearest part that exists.
     */
    public boolean holds(Path path) {
        Path normal = path.toAbsolutePath().normalize();
        if (!containsLexically(normal)) return false;
        Path existing = normal;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        try {
            return existing == null || containsReally(existing);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether the real path of an existing {@code file} (links followed) lies inside a root's real
     * path. A link whose target has no real path (`/dev/stdin` to a pipe) lies outside.
     */
    public boolean containsReally(Path file) throws IOException {
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            if (Files.isSymbolicLink(file)) return false;
            throw e;
        }
        for (Path folder : folders) {
            try {
                if (real.startsWith(Files.exists(folder) ? folder.toRealPath() : folder)) return true;
            } catch (IOException | InvalidPathException e) {
                // an unreadable root contains nothing
            }
        }
        return false;
    }

    /** How the folders read in a message: each as given, or "(none)". */
    String describe() {
        if (folders.isEmpty()) return "(none)";
        return String.join(", ", folders.stream().map(Path::toString).toList());
    }
}
