package dln.runtime.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/** Coverage-guided fuzzing of {@link Safetensors#read} (docs/FUZZING.md). */
class SafetensorsFuzzTest {
    private static final Path FILE = FuzzFiles.file("fuzz.safetensors");

    static Stream<byte[]> fixtures() {
        return FuzzFiles.seeds("io", ".safetensors");
    }

    /** Any bytes read as tensors or are refused with a {@link DataException} at a byte offset. */
    @MethodSource("fixtures")
    @FuzzTest
    void readsOrRefuses(byte[] bytes) throws IOException {
        FuzzFiles.write(FILE, bytes);
        try {
            Safetensors.read(FILE);
        } catch (DataException e) {
            FuzzFiles.checkMessage(e, FILE);
        }
    }
}
