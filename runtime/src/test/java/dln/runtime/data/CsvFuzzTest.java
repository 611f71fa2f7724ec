package dln.runtime.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dln.runtime.io.DataException;
import dln.runtime.io.FuzzFiles;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/** Coverage-guided fuzzing of {@link Csv#read} (docs/FUZZING.md). */
class CsvFuzzTest {
    private static final Path FILE = FuzzFiles.file("fuzz.csv");

    static Stream<byte[]> fixtures() {
        return FuzzFiles.seeds("data", ".csv", ".csv.gz");
    }

    /**
     * Any bytes read as a dataset or are refused with a {@link DataError} (a {@link DataException}
     * for a broken gzip header), both with a header and labels in the last column and without
     * either.
     */
    @MethodSource("fixtures")
    @FuzzTest
    void readsOrRefuses(byte[] bytes) {
        FuzzFiles.write(FILE, bytes);
        read(true, Csv.Targets.label(null));
        read(false, Csv.Targets.NONE);
    }

    private static void read(boolean header, Csv.Targets targets) {
        try {
            Csv.read(FILE, header, targets, 1, null);
        } catch (DataError | DataException e) {
            FuzzFiles.checkMessage(e, FILE);
        }
    }
}
