package dln.runtime.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The committed files under src/test/resources/io (made by make_fixtures.py there). */
final class Fixtures {
    private Fixtures() {}

    static Path fixture(String name) {
        try {
            var url = Fixtures.class.getResource("/io/" + name);
            if (url == null) throw new IllegalArgumentException("no fixture " + name);
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where {@code text} first occurs in the file, as a byte offset. */
    static long offsetOf(Path file, String text) {
        byte[] data = bytes(file), needle = text.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) if (data[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new IllegalArgumentException(text + " is not in " + file);
    }

    /** The file with its first {@code n} bytes only, as a crash or a cut download leaves it. */
    static Path truncated(Path from, int n, Path dir) throws IOException {
        byte[] data = bytes(from);
        Path to = dir.resolve(from.getFileName());
        Files.write(to, java.util.Arrays.copyOf(data, n));
        return to;
    }

    static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) bits[i] = Float.floatToRawIntBits(values[i]);
        return bits;
    }
}
