package dln.runtime.io;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that readers, and the file system after a crash, see either the old file or the
 * complete new one, never a part: the bytes go to a temporary file in the same directory, are
 * forced to the disk, and the temporary file is then renamed over the target in one step.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes a file's contents to the stream it is given; the stream need not be closed. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /**
     * Replaces {@code file} with what {@code content} writes. If {@code content} throws, the
     * previous file is untouched, the temporary file is deleted and the exception propagates.
     */
    public static void write(Path file, Content content) throws IOException {
        Path target = file.toAbsolutePath();
        Path temp;
        try {
            temp = createTemp(target);
        } catch (IOException e) {
            throw FileErrors.naming(file, e);
        }
        try {
            try (FileChannel channel = FileChannel.open(temp, WRITE)) {
                OutputStream out = new BufferedOutputStream(naming(Channels.newOutputStream(channel), file), 1 << 16) {
                    // The channel must stay open until it has been forced to the disk.
                    @Override public void close() throws IOException { flush(); }
                };
                content.writeTo(out);
                out.flush();
                try {
                    channel.force(true);
                } catch (IOException e) {
                    throw FileErrors.naming(file, e);
                }
            }
            move(temp, file);
        } catch (Throwable failure) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
        syncDirectory(target.getParent());
    }

    /**
     * The stream to the temporary file, its failures (a full disk) naming the target; what the
     * content throws itself passes as it is.
     */
    static OutputStream naming(OutputStream toDisk, Path file) {
        return new FilterOutputStream(toDisk) {
            @Override public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override public void write(byte[] b, int off, int len) throws IOException {
                try {
                    out.write(b, off, len);
                } catch (IOException e) {
                    throw FileErrors.naming(file, e);
                }
            }
        };
    }

    /** Renames the temporary file over the target; a failure names the target as the caller did (not "TEMP -> TARGET"). */
    private static void move(Path temp, Path file) throws IOException {
        try {
            Files.move(temp, file.toAbsolutePath(), ATOMIC_MOVE, REPLACE_EXISTING);
        } catch (IOException e) {
            throw FileErrors.naming(file, e);
        }
    }

    /** A new, hidden file next to the target, created with the default permissions. */
    private static Path createTemp(Path target) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
            Path temp = target.resolveSibling("." + target.getFileName() + "." + suffix + ".tmp");
            try {
                FileChannel.open(temp, CREATE_NEW, WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) throw e;
            }
        }
    }

    /** Makes the rename itself durable where the platform allows it (Linux and macOS do). */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a directory; the rename is still atomic there.
        }
    }
}
