package dln.maven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/** Writes generated files so that unchanged ones keep their bytes and their timestamps. */
final class Outputs {
    private Outputs() {}

    /** Writes {@code text} as UTF-8 unless the file already holds exactly those bytes; true when it wrote. */
    static boolean writeIfChanged(Path file, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)) return false;
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    /** Deletes {@code file}, then its folders up to (not including) {@code root} while they are empty. */
    static void delete(Path file, Path root) throws IOException {
        Files.deleteIfExists(file);
        for (Path dir = file.getParent(); dir != null && dir.startsWith(root) && !dir.equals(root); dir = dir.getParent()) {
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) return;
            } catch (java.nio.file.NoSuchFileException e) {
                continue;
            }
            Files.delete(dir);
        }
    }
}
