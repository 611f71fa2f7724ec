package dln.runtime.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BackendChoicesTest {
    @TempDir Path dir;

    private static final String MACHINE = "cpu | PoCL | 3.1 & java (2 threads, BLAS: JNIBLAS)", MODEL = "Mlp training step at batch 64, kernels 0123456789abcdef";

    @Test void choicesRoundTripThroughTheFile() throws IOException {
        Path file = dir.resolve("sub/folder/backends.json");
        BackendChoices choices = BackendChoices.load(file);
        assertThat(choices.warning()).isNull();
        assertThat(choices.get(MACHINE, MODEL)).isNull();
        BackendChoices.Entry entry = new BackendChoices.Entry(BackendChoices.JVM, 64, 0.9449, 0.8419);
        choices.put(MACHINE, MODEL, entry);
        choices.put("gpu \"quoted\"", MODEL, new BackendChoices.Entry(BackendChoices.OPENCL, 256, 1e-4, 12.5));
        choices.save();
        assertThat(Files.list(file.getParent())).containsExactly(file);
        BackendChoices again = BackendChoices.load(file);
        assertThat(again.warning()).isNull();
        assertThat(again.get(MACHINE, MODEL)).isEqualTo(entry);
        assertThat(again.get("gpu \"quoted\"", MODEL)).isEqualTo(new BackendChoices.Entry(BackendChoices.OPENCL, 256, 1e-4, 12.5));
        assertThat(again.get(MACHINE, "another model")).isNull();
        assertThat(again.json()).isEqualTo(Files.readString(file)).isEqualTo(choices.json());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"format\": \"dln backend choices 1\", \"machines\": {",
        "not json",
        "{\"format\": \"dln tuning cache 1\", \"machines\": {}}",
        "{\"format\": \"dln backend choices 1\", \"machines\": []}",
        "{\"format\": \"dln backend choices 1\", \"machines\": {\"m\": {\"s\": {\"chosen\": \"gpu\", \"batch\": 64, \"opencl_ms\": 1, \"java_ms\": 1}}}}",
        "{\"format\": \"dln backend choices 1\", \"machines\": {\"m\": {\"s\": {\"chosen\": \"java\", \"batch\": 6.5, \"opencl_ms\": 1, \"java_ms\": 1}}}}",
        "{\"format\": \"dln backend choices 1\", \"machines\": {\"m\": {\"s\": {\"chosen\": \"java\", \"batch\": 64, \"opencl_ms\": -1, \"java_ms\": 1}}}}",
        "{\"format\": \"dln backend choices 1\", \"machines\": {\"m\": {\"s\": {\"chosen\": \"java\", \"batch\": 64}}}}",
    })
    void aCorruptFileIsIgnoredWithOneLineOfWarningAndReplaced(String text) throws IOException {
        Path file = dir.resolve("backends.json");
        Files.writeString(file, text);
        BackendChoices choices = BackendChoices.load(file);
        assertThat(choices.warning()).startsWith("ignoring the measured backend choices").contains(file.toString()).doesNotContain("\n");
        assertThat(choices.get("m", "s")).isNull();
        choices.put("m", "s", new BackendChoices.Entry(BackendChoices.OPENCL, 64, 1, 2));
        choices.save();
        assertThat(BackendChoices.load(file).warning()).isNull();
        assertThat(BackendChoices.load(file).get("m", "s").chosen()).isEqualTo(BackendChoices.OPENCL);
    }

    @Test void aFileOfAnotherShapeIsNamedForWhatItIsNot() throws IOException {
        Path file = dir.resolve("backends.json");
        Files.writeString(file, "{\"format\": \"dln backend choices 1\", \"machines\": []}");
        assertThat(BackendChoices.load(file).warning()).startsWith("ignoring the measured backend choices, " + file + ": not a file of backend choices (");
    }

    @Test void thePropertyNamesTheFile() {
        String before = System.getProperty(BackendChoices.PROPERTY);
        try {
            System.setProperty(BackendChoices.PROPERTY, dir.resolve("mine.json").toString());
            assertThat(BackendChoices.standardFile()).isEqualTo(dir.resolve("mine.json"));
            System.clearProperty(BackendChoices.PROPERTY);
            if (System.getenv(BackendChoices.VARIABLE) == null) assertThat(BackendChoices.standardFile().toString()).endsWith("dln/backends.json");
        } finally {
            if (before == null) System.clearProperty(BackendChoices.PROPERTY);
            else System.setProperty(BackendChoices.PROPERTY, before);
        }
    }
}
