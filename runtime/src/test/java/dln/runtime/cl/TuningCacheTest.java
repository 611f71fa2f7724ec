package dln.runtime.cl;

import static org.assertj.core.api.Assertions.assertThat;

import dln.runtime.kernel.Choice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuningCacheTest {
    @TempDir Path dir;

    private static final String DEVICE = "cpu | PoCL | 3.1", SHAPE = "gemm A*B^T M=batch N=10 K=20 lda=20 ldb=20 ldc=10 alpha=1.0 beta=0.0";

    @Test void choicesRoundTripThroughTheFileAtomically() throws IOException {
        Path file = dir.resolve("sub/folder/tuning.json");
        TuningCache cache = TuningCache.load(file);
        assertThat(cache.warning()).isNull();
        assertThat(cache.entries(DEVICE)).isEmpty();
        TuningCache.Entry entry = new TuningCache.Entry(Choice.of("GEMM_ROWS", 8, "GEMM_COLS", 2), 64, 0.125, 0.1);
        cache.put(DEVICE, SHAPE, entry);
        cache.put("gpu \"quoted\" | NVIDIA | 550", SHAPE, new TuningCache.Entry(Choice.of("GEMM_ROWS", 2, "GEMM_COLS", 2), 256, 1, 0.5));
        cache.save();
        assertThat(Files.list(file.getParent())).containsExactly(file);
        TuningCache again = TuningCache.load(file);
        assertThat(again.warning()).isNull();
        assertThat(again.entries(DEVICE)).isEqualTo(Map.of(SHAPE, entry));
        assertThat(again.entries("gpu \"quoted\" | NVIDIA | 550").get(SHAPE).choice()).isEqualTo(Choice.of("GEMM_ROWS", 2, "GEMM_COLS", 2));
        assertThat(again.entries("another device")).isEmpty();
        // the same choices, the same bytes
        assertThat(again.json()).isEqualTo(Files.readString(file)).isEqualTo(cache.json());
    }

    @Test void aCorruptCacheIsIgnoredWithOneLineOfWarning() throws IOException {
        String[] broken = {
            "{\"format\": \"dln tuning cache 1\", \"devices\": {",                                   // cut short
            "not json at all",
            "{\"format\": \"something else\", \"devices\": {}}",
            "{\"format\": \"dln tuning cache 1\", \"devices\": []}",
            "{\"format\": \"dln tuning cache 1\", \"devices\": {\"d\": {\"s\": {\"choice\": {\"GEMM_ROWS\": 2.5}, \"batch\": 64, \"default_ms\": 1, \"chosen_ms\": 1}}}}",
            "{\"format\": \"dln tuning cache 1\", \"devices\": {\"d\": {\"s\": {\"choice\": {\"GEMM_ROWS\": 4}}}}}",
            "{\"format\": \"dln tuning cache 1\", \"devices\": {\"d\": {\"s\": {\"choice\": {\"rows\": 4}, \"batch\": 64, \"default_ms\": 1, \"chosen_ms\": 1}}}}",
        };
        for (String text : broken) {
            Path file = dir.resolve("tuning.json");
            Files.writeString(file, text);
            TuningCache cache = TuningCache.load(file);
            assertThat(cache.warning()).as(text).startsWith("ignoring the kernel tuning cache").contains(file.toString()).doesNotContain("\n");
            assertThat(cache.entries("d")).as(text).isEmpty();
            // and the next tuning replaces it
            cache.put("d", "s", new TuningCache.Entry(Choice.of("GEMM_ROWS", 4), 64, 1, 0.5));
            cache.save();
            assertThat(TuningCache.load(file).warning()).isNull();
        }
    }

    @Test void aFileOfAnotherShapeIsNamedForWhatItIsNot() throws IOException {
        Path file = dir.resolve("tuning.json");
        Files.writeString(file, "{\"format\": \"dln tuning cache 1\", \"devices\": []}");
        assertThat(TuningCache.load(file).warning()).startsWith("ignoring the kernel tuning cache, " + file + ": not a tuning cache (");
    }

    @Test void anUnreadableCacheIsIgnoredToo() throws IOException {
        Path folder = dir.resolve("tuning.json");
        Files.createDirectories(folder);
        TuningCache cache = TuningCache.load(folder);
        assertThat(cache.warning()).contains("tuning.json").doesNotContain("\n");
        assertThat(cache.entries(DEVICE)).isEmpty();
    }

    @Test void thePropertyNamesTheFile() {
        String before = System.getProperty(TuningCache.PROPERTY);
        try {
            System.setProperty(TuningCache.PROPERTY, dir.resolve("mine.json").toString());
            assertThat(TuningCache.standardFile()).isEqualTo(dir.resolve("mine.json"));
            System.clearProperty(TuningCache.PROPERTY);
            if (System.getenv(TuningCache.VARIABLE) == null) assertThat(TuningCache.standardFile().toString()).endsWith("dln/tuning.json");
        } finally {
            if (before == null) System.clearProperty(TuningCache.PROPERTY);
            else System.setProperty(TuningCache.PROPERTY, before);
        }
    }
}
