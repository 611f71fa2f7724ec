package dln.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;

/** Finds the .dln files of a source folder and the Java package each one compiles into. */
final class Sources {
    /** The package of files directly in the source folder, which have no folder to name one. */
    static final String ROOT_PACKAGE = "dln.models";

    private Sources() {}

    /**
     * The files below {@code dir} that match an include and no exclude, as paths relative to
     * {@code dir} separated by {@code /}, sorted so that every machine builds them in one order.
     */
    static List<String> scan(Path dir, List<String> includes, List<String> excludes) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        List<Glob> in = includes.stream().map(Glob::new).toList();
        List<Glob> out = excludes.stream().map(Glob::new).toList();
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                        .map(f -> slashes(dir.relativize(f)))
                        .filter(rel -> in.stream().anyMatch(g -> g.matches(rel)) && out.stream().noneMatch(g -> g.matches(rel)))
                        .sorted()
                        .toList();
        }
    }

    /**
     * The package named by the folders of {@code relative}: {@code com/acme/net.dln} is in
     * {@code com.acme}, a file at the top in {@link #ROOT_PACKAGE}. Null when a folder's name is not
     * a Java identifier.
     */
    static String packageOf(String relative) {
        int slash = relative.lastIndexOf('/');
        if (slash < 0) return ROOT_PACKAGE;
        String name = relative.substring(0, slash).replace('/', '.');
        return SourceVersion.isName(name) ? name : null;
    }

    static String slashes(Path relative) {
        return relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
    }
}
