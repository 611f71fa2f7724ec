package dln.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every failed read or write names the path the caller gave and the reason in words. */
class FileErrorsTest {
    @TempDir Path dir;

    private static final Map<String, Safetensors.Tensor> W = Map.of("w", new Safetensors.Tensor(new long[] {1}, new float[] {1}));

    @Test void aMissingFileIsNoSuchFile() {
        Path missing = dir.resolve("nope.npy");
        IOException e = catchThrowableOfType(() -> Npy.read(missing), IOException.class);
        assertThat(FileErrors.message(e)).isEqualTo(missing + ": no such file");
        assertThat(FileErrors.unreadable(missing)).isEqualTo("no such file");
    }

    /** Java reads a folder open and fails on the first read with "Is a directory" and no path. */
    @Test void aFolderGivenAsAFileIsNamed() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("weights"));
        for (IOException e : new IOException[] {catchThrowableOfType(() -> Npy.read(folder), IOException.class),
                catchThrowableOfType(() -> Safetensors.read(folder), IOException.class),
                catchThrowableOfType(() -> Safetensors.metadata(folder), IOException.class)}) {
            assertThat(FileErrors.message(e)).isEqualTo(folder + ": is a folder, not a file");
        }
        assertThat(FileErrors.unreadable(folder)).isEqualTo("is a folder, not a file");
    }

    @Test void writingOverAFolderNamesTheTargetNotTheTemporaryFile() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("y.npy"));
        FileSystemException e = catchThrowableOfType(() -> Npy.write(folder, new Npy.Array(new long[] {1}, new float[] {1}, false)),
                FileSystemException.class);
        assertThat(e.getFile()).isEqualTo(folder.toString());
        assertThat(FileErrors.message(e)).isEqualTo(folder + ": is a folder, not a file");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("y.npy");
        }
    }

    @Test void aFileWhereAFolderShouldBeIsNamed() throws IOException {
        Path file = Files.writeString(dir.resolve("runs"), "not a folder");
        Path below = file.resolve("sub/best.safetensors");
        IOException write = catchThrowableOfType(() -> Safetensors.write(below, W, null), IOException.class);
        assertThat(FileErrors.message(write)).isEqualTo(below + ": " + file + " is a file, not a folder");
        IOException read = catchThrowableOfType(() -> Safetensors.read(below), IOException.class);
        assertThat(FileErrors.message(read)).isEqualTo(below + ": " + file + " is a file, not a folder");
        IOException mkdirs = catchThrowableOfType(() -> Files.createDirectories(file), IOException.class);
        assertThat(FileErrors.message(file, mkdirs)).isEqualTo(file + ": is a file, not a folder");
        assertThat(FileErrors.unreadable(below)).isEqualTo(file + " is a file, not a folder");
    }

    /** A full disk fails the write to the temporary file: the error names the file the caller asked for. */
    @Test void aWriteThatFailsOnTheDiskNamesTheTarget() {
        Path file = dir.resolve("best.safetensors");
        java.io.OutputStream full = AtomicFiles.naming(new java.io.OutputStream() {
            @Override public void write(int b) throws IOException { throw new IOException("No space left on device"); }
        }, file);
        IOException e = catchThrowableOfType(() -> full.write(new byte[8], 0, 8), IOException.class);
        assertThat(FileErrors.message(e)).isEqualTo(file + ": no space left on device");
    }

    @Test void otherReasonsKeepTheirWordsWithoutThePath() {
        Path file = dir.resolve("x.npy");
        assertThat(FileErrors.message(file, new IOException("No space left on device"))).isEqualTo(file + ": no space left on device");
        assertThat(FileErrors.message(new FileSystemException("/a/b", null, "Read-only file system"))).isEqualTo("/a/b: read-only file system");
        assertThat(FileErrors.message(new IOException("plain"))).isEqualTo("plain");
    }

    @Test void aDeviceIsNotARegularFile() {
        Path devNull = Path.of("/dev/null");
        assumeTrue(Files.exists(devNull), "a Unix system");
        assertThat(FileErrors.unreadable(devNull)).isEqualTo("not a regular file (a device, a pipe or a socket)");
        assertThat(FileErrors.unreadable(dir)).isEqualTo("is a folder, not a file");
    }

    @Test void namingKeepsAnExceptionThatNamesThePathAlready() {
        Path file = dir.resolve("a");
        IOException own = new java.nio.file.NoSuchFileException(file.toString());
        assertThat(FileErrors.naming(file, own)).isSameAs(own);
        IOException bare = new IOException("Is a directory");
        IOException named = FileErrors.naming(file, bare);
        assertThat(named).isInstanceOf(FileSystemException.class).hasCause(bare);
        assertThat(((FileSystemException) named).getFile()).isEqualTo(file.toString());
    }

    /** A pipe is refused before it is opened: opening one for reading would wait for a writer forever. */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aPipeIsNeverOpened() throws Exception {
        Path fifo = dir.resolve("weights.safetensors");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        for (IOException e : new IOException[] {catchThrowableOfType(() -> Npy.read(fifo), IOException.class),
                catchThrowableOfType(() -> Safetensors.read(fifo), IOException.class),
                catchThrowableOfType(() -> Safetensors.metadata(fifo), IOException.class)}) {
            assertThat(FileErrors.message(e)).isEqualTo(fifo + ": not a regular file (a device, a pipe or a socket)");
        }
        Throwable data = org.assertj.core.api.Assertions.catchThrowable(() -> dln.runtime.data.Csv.read(fifo, true, 0, new long[] {1}));
        assertThat(data).hasMessageStartingWith(fifo + ": not a regular file (a device, a pipe or a socket)");
    }
}
