package dln.runtime.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the native libraries that JOCL (libOpenCL) and netlib (libblas) would load, before they try.
 * Both print their own failures straight to the process's output from C when a library is missing
 * ("Could not load libOpenCL.so.1, error ...", "netlib-blas: JNI_OnLoad: dlopen(libblas.so.3)
 * failed ..."), which Java cannot silence; so the runtime asks them for a library only once it has
 * loaded it here, where a failure is silent. Linux only: elsewhere the libraries are the system's
 * (macOS's frameworks, Windows' OpenCL.dll) and the loaders are left to find them.
 */
public final class NativeLibraries {
    private NativeLibraries() {}

    /** Whether this platform's libraries are looked for here (Linux) or left to their loaders. */
    public static boolean probed() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    /** The first of {@code names} that loads, from the dynamic linker's folders; null when none does. */
    public static Path load(String... names) {
        for (String name : names) {
            for (Path dir : linkerFolders()) {
                Path file = dir.resolve(name);
                if (Files.isRegularFile(file) && loads(file)) return file;
            }
        }
        return null;
    }

    /**
     * Loads {@code file} into this process: true when it loads (a library stays loaded once it has).
     * Only an ELF file is tried: the JVM warns on stderr about the stack guard of a file it cannot read as one.
     */
    public static boolean loads(Path file) {
        if (!elf(file)) return false;
        try {
            System.load(file.toAbsolutePath().toString());
            return true;
        } catch (UnsatisfiedLinkError | SecurityException e) {
            return false;
        }
    }

    /** Whether the file starts with ELF's magic bytes 7f 45 4c 46. */
    static boolean elf(Path file) {
        byte[] magic = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(magic, 0, 4) == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException | RuntimeException unreadable) {
            return false;
        }
    }

    /**
     * The folders ld.so searches for a library named without a path: LD_LIBRARY_PATH, those listed in
     * /etc/ld.so.conf (and the files it includes), then the default ones.
     */
    static List<Path> linkerFolders() {
        Set<Path> dirs = new LinkedHashSet<>();
        String env = System.getenv("LD_LIBRARY_PATH");
        if (env != null) for (String d : env.split(":")) add(dirs, d);
        confFolders(Path.of("/etc/ld.so.conf"), dirs, 0);
        String arch = System.getProperty("os.arch", "").equals("amd64") ? "x86_64" : System.getProperty("os.arch", "");
        for (String d : List.of("/lib/" + arch + "-linux-gnu", "/usr/lib/" + arch + "-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib")) add(dirs, d);
        return new ArrayList<>(dirs);
    }

    /** The folders an ld.so.conf file lists, following its {@code include} lines (globs of files). */
    static void confFolders(Path conf, Set<Path> dirs, int depth) {
        List<String> lines;
        try {
            lines = Files.readAllLines(conf);
        } catch (IOException | RuntimeException unreadable) {
            return;
        }
        for (String raw : lines) {
            String line = raw.replaceFirst("#.*", "").strip();
            if (line.startsWith("include ")) {
                if (depth == 8) continue;   // an include of itself
                for (Path included : glob(conf.resolveSibling(line.substring(8).strip()))) confFolders(included, dirs, depth + 1);
            } else if (!line.isEmpty()) {
                add(dirs, line);
            }
        }
    }

    /** The files a pattern whose last part may hold a {@code *} names, in name order, as ld.so.conf's includes do. */
    private static List<Path> glob(Path pattern) {
        Path dir = pattern.getParent();
        if (dir == null || !Files.isDirectory(dir)) return List.of();
        String regex = pattern.getFileName().toString().replace(".", "\\.").replace("*", ".*").replace("?", ".");
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches(regex)).sorted().toList();
        } catch (IOException | RuntimeException unreadable) {
            return List.of();
        }
    }

    private static void add(Set<Path> dirs, String dir) {
        if (dir.isBlank()) return;
        try {
            dirs.add(Path.of(dir.strip()));
        } catch (InvalidPathException ignored) {
            // not a folder ld.so could use either
        }
    }
}
