package dln.runtime.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dln.runtime.io.DataException;
import dln.runtime.io.FuzzFiles;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing of {@link Idx#read} (docs/FUZZING.md). The fuzzer's bytes are read once as
 * the images, once as the labels; the other file of the pair is a well-formed one that claims as
 * many examples as the fuzzed file's first dimension, so that the reader gets past comparing them.
 */
class IdxFuzzTest {
    private static final Path FILE = FuzzFiles.file("fuzz.idx");
    private static final Path OTHER = FuzzFiles.file("other.idx");
    /** The most examples the well-formed file really holds; it claims more when the fuzzed file does. */
    private static final int MAX_WRITTEN = 4096;

    static Stream<byte[]> fixtures() {
        return FuzzFiles.seeds("data", ".idx", "-ubyte", "-ubyte.gz");
    }

    /** Any bytes read as a dataset or are refused with a {@link DataException} at a byte offset (or a {@link DataError}). */
    @MethodSource("fixtures")
    @FuzzTest
    void readsOrRefuses(byte[] bytes) {
        FuzzFiles.write(FILE, bytes);
        long count = bytes.length >= 8 ? ByteBuffer.wrap(bytes, 4, 4).getInt() & 0xffffffffL : 0;
        FuzzFiles.write(OTHER, ubytes(count, 1));
        read(FILE, OTHER);
        FuzzFiles.write(OTHER, ubytes(count, 3));
        read(OTHER, FILE);
    }

    /** An IDX file of unsigned bytes with {@code dimensions} dimensions [count, 1, ...], the values zero. */
    private static byte[] ubytes(long count, int dimensions) {
        int written = (int) Math.min(count, MAX_WRITTEN);
        ByteBuffer out = ByteBuffer.allocate(4 + 4 * dimensions + written);
        out.put(new byte[] {0, 0, 0x08, (byte) dimensions}).putInt((int) count);
        for (int i = 1; i < dimensions; i++) out.putInt(1);
        return out.array();
    }

    private static void read(Path images, Path labels) {
        try {
            Idx.read(images, labels, 1, null);
        } catch (DataError | DataException e) {
            FuzzFiles.checkMessage(e, images, labels);
        }
    }
}
