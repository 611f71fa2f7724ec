package dln.runtime.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * What the readers' fuzz tests share: the fuzzer's bytes written to a file (the readers read files),
 * the committed fixtures as seeds, and the check that a refusal is the reader's own error, worded
 * for the user.
 */
public final class FuzzFiles {
    private FuzzFiles() {}

    /** A file in a fresh temporary folder, rewritten for every input of the fuzz test. */
    public static Path file(String name) {
        try {
            Path dir = Files.createTempDirectory("dln-fuzz");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve(name);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files under src/test/resources/{@code folder} whose names end in one of {@code suffixes}, as seeds. */
    public static Stream<byte[]> seeds(String folder, String... suffixes) {
        try (Stream<Path> files = Files.list(Path.of("src/test/resources", folder))) {
            return files.filter(f -> Arrays.stream(suffixes).anyMatch(s -> f.getFileName().toString().endsWith(s)))
                    .sorted()
                    .map(FuzzFiles::bytes)
                    .toList()
                    .stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A refusal names one of {@code files} first ({@code FILE: ...}, {@code FILE:LINE: ...}) and says
     * what is wrong after it; anything else is a finding.
     */
    public static void checkMessage(RuntimeException e, Path... files) {
        String message = e.getMessage();
        boolean named = message != null && Arrays.stream(files)
                .anyMatch(f -> message.startsWith(f + ":") && message.length() > (f + ": ").length() + 1);
        if (!named) throw new AssertionError("a refusal that does not name the file and the problem: " + message, e);
    }
}
