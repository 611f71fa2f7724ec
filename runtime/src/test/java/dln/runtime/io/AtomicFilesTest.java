package dln.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path dir;

    @Test void writesAndReplaces() throws IOException {
        Path file = dir.resolve("a.bin");
        AtomicFiles.write(file, new byte[] {1, 2, 3});
        AtomicFiles.write(file, new byte[] {4, 5});
        assertThat(file).hasBinaryContent(new byte[] {4, 5});
        assertThat(files()).containsExactly("a.bin");
    }

    @Test void aFailedWriteLeavesThePreviousFileWholeAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("weights.safetensors");
        Map<String, Safetensors.Tensor> first = Map.of("w", new Safetensors.Tensor(new long[] {3}, new float[] {1, 2, 3}));
        Safetensors.write(file, first, null);
        byte[] before = Files.readAllBytes(file);

        IOException diskFull = new IOException("No space left on device");
        assertThatThrownBy(() -> AtomicFiles.write(file, out -> {
            out.write(new byte[200_000]); // past the buffer, so bytes reach the temporary file
            throw diskFull;
        })).isSameAs(diskFull);
        assertThatThrownBy(() -> AtomicFiles.write(file, out -> {
            out.write(1);
            throw new IllegalStateException("the model diverged");
        })).hasMessage("the model diverged");

        assertThat(file).hasBinaryContent(before);
        assertThat(Safetensors.read(file)).isEqualTo(first);
        assertThat(files()).containsExactly("weights.safetensors");
    }

    @Test void aFailedFirstWriteLeavesNothing() {
        Path file = dir.resolve("new.npy");
        assertThatThrownBy(() -> AtomicFiles.write(file, out -> { throw new IOException("cancelled"); })).hasMessage("cancelled");
        assertThat(files()).isEmpty();
    }

    @Test void contentMayCloseTheStream() throws IOException {
        Path file = dir.resolve("closed.bin");
        AtomicFiles.write(file, out -> {
            try (OutputStream o = out) {
                o.write(new byte[] {9, 8});
            }
        });
        assertThat(file).hasBinaryContent(new byte[] {9, 8});
    }

    @Test void relativePathsWork() throws IOException {
        Path file = dir.resolve("sub").resolve("x.bin");
        Files.createDirectories(file.getParent());
        AtomicFiles.write(Path.of("").toAbsolutePath().relativize(file), new byte[] {7});
        assertThat(file).hasBinaryContent(new byte[] {7});
    }

    private java.util.List<String> files() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
