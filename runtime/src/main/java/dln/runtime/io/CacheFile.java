package dln.runtime.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A JSON file of what the runtime measured on this machine and keeps for later runs (the kernel
 * tuner's block sizes, `auto`'s backend choices): where it lives, how it is read, how it is written.
 * Losing one costs a measurement, never a run, so a file that cannot be read is reported in one line
 * and treated as empty.
 */
public final class CacheFile {
    private CacheFile() {}

    /** Why a cache file was not used: one line that names it. */
    public static final class Unusable extends Exception {
        Unusable(String message) { super(message.replace('\n', ' ')); }
    }

    /**
     * The file: the system property {@code property}, else the variable {@code variable}, else
     * {@code name} in {@code $XDG_CACHE_HOME/dln}, by default {@code ~/.cache/dln}.
     */
    public static Path standard(String property, String variable, String name) {
        String named = System.getProperty(property, System.getenv(variable));
        if (named != null && !named.isBlank()) return Path.of(named);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("dln").resolve(name);
    }

    /** What reads a cache's JSON object, throwing one of the exceptions that a file not of its kind causes. */
    @FunctionalInterface
    public interface Reader {
        void read(Map<String, Object> json);
    }

    /**
     * Hands the JSON object in {@code file} to {@code reader} when there is a file; a file of
     * another {@code format} (its "format" member), or one that cannot be read or parsed or that the
     * reader rejects, is {@link Unusable}, the last as "not {@code kind}" (e.g. "a tuning cache").
     */
    public static void read(Path file, String format, String kind, Reader reader) throws Unusable {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new Unusable(FileErrors.message(file, e));
        }
        try {
            Map<String, Object> json = JsonText.object(file, bytes);
            if (!format.equals(json.get("format"))) throw new IllegalArgumentException("its format is not \"" + format + "\"");
            reader.read(json);
        } catch (DataException e) {
            throw new Unusable(e.getMessage());
        } catch (ClassCastException | IllegalArgumentException | NullPointerException e) {
            throw new Unusable(file + ": not " + kind + " (" + e.getMessage() + ")");
        }
    }

    /** Writes {@code text} to {@code file} atomically, making its folder if need be. */
    public static void write(Path file, String text) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            try {
                Files.createDirectories(parent);
            } catch (IOException e) {
                throw FileErrors.naming(parent, e);
            }
        }
        AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
    }
}
