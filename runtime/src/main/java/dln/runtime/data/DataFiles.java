package dln.runtime.data;

import dln.runtime.io.DataException;
import dln.runtime.io.FileErrors;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Opens data files, gzipped or not, and words the errors of files that cannot be opened. */
final class DataFiles {
    private static final int BUFFER = 1 << 16;

    /** Debian packages that install data sets, by the folder they install them in. */
    private static final Map<Path, String> PACKAGES = Map.of(
            Path.of("/usr/share/datasets/fashion-mnist"), "dataset-fashion-mnist",
            Path.of("/usr/lib/python3/dist-packages/sklearn"), "python3-sklearn");

    private DataFiles() {}

    /** An open file; {@code gunzip} is the decompressing stream of a gzipped file, null for a plain one. */
    record Opened(InputStream in, Gunzip gunzip) {
        boolean gzip() { return gunzip != null; }

        /** Why the gzip data ended before its end (cut short or corrupt), or null. */
        IOException damage() { return gunzip == null ? null : gunzip.damage; }
    }

    /**
     * Opens a file for reading. It is decompressed when it starts with gzip's magic bytes 1f 8b,
     * whatever its name, since files are renamed more often than recompressed.
     */
    static Opened open(Path file) {
        InputStream in = null;
        try {
            FileErrors.requireFileOrAbsent(file);
            in = new BufferedInputStream(Files.newInputStream(file), BUFFER);
            in.mark(2);
            boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            if (!gzip) return new Opened(in, null);
            Gunzip gunzip = new Gunzip(file, in);
            return new Opened(gunzip, gunzip);
        } catch (IOException e) {
            close(in);
            throw unreadable(file, e);
        }
    }

    /**
     * Decompresses gzip data. Data that is cut short or corrupt ends the stream where it goes bad, as
     * if the file ended there, and {@link #damage} says why: readers then report what they got up to
     * that point (a byte offset, a line) rather than losing it in a buffer.
     */
    static final class Gunzip extends FilterInputStream {
        IOException damage;

        Gunzip(Path file, InputStream in) {
            super(inflater(file, in));
        }

        private static InputStream inflater(Path file, InputStream in) {
            try {
                return new GZIPInputStream(in, BUFFER);
            } catch (IOException e) {
                DataFiles.close(in);
                throw new DataException(file, 0, "the file starts with gzip's magic bytes 1f 8b, but its gzip header is "
                        + (e instanceof EOFException ? "cut short" : "corrupt (" + e.getMessage() + ")"));
            }
        }

        @Override public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override public int read(byte[] b, int off, int len) {
            if (damage != null) return -1;
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                damage = e;
                return -1;
            }
        }

        /** What went wrong, for a message: {@code cut short} or {@code corrupt (why)}. */
        String problem() {
            return damage instanceof EOFException ? "cut short" : "corrupt (" + damage.getMessage() + ")";
        }
    }

    /** The error for a file that could not be opened or read, with the package to install where one provides it. */
    static DataError unreadable(Path file, IOException e) {
        return new DataError(FileErrors.message(file, e) + (e instanceof NoSuchFileException ? installHint(file) : ""));
    }

    private static String installHint(Path file) {
        Path path = file.toAbsolutePath().normalize();
        for (var e : PACKAGES.entrySet()) {
            if (path.startsWith(e.getKey())) {
                return "; it comes with a Debian package: install it with `apt-get install " + e.getValue() + "`";
            }
        }
        return "";
    }

    static void close(InputStream in) {
        if (in == null) return;
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing was written, so nothing can be lost
        }
    }
}
