package dln.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dln.Compiler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The emitted Java and OpenCL of three small models, compared whole with reviewed files (as
 * JavaPoet's own tests do). After an intended change, regenerate them with
 * `mvn test -Dtest=GoldenTest -Dgolden.update=true` and review the diff.
 */
class GoldenTest {
    static final Path DIR = Path.of("src/test/resources/golden");

    @ParameterizedTest
    @ValueSource(strings = {"xor", "tiny_cnn", "tiny_encoder"})
    void emittedCodeMatchesTheReviewedFiles(String name) throws IOException {
        String dln = Files.readString(DIR.resolve(name + ".dln"), StandardCharsets.UTF_8);
        var generated = Models.generate(dln);
        assertThat(generated).hasSize(1);
        Compiler.Generated g = generated.get(0);
        check(DIR.resolve(name + ".java.txt"), g.java());
        check(DIR.resolve(name + ".cl.txt"), g.opencl());
        assertThat(Models.generate(dln).get(0).java()).as("same input, same bytes").isEqualTo(g.java());
    }

    private static void check(Path expected, String actual) throws IOException {
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(expected, actual, StandardCharsets.UTF_8);
            return;
        }
        assertThat(Files.exists(expected)).as("%s exists (run with -Dgolden.update=true to create it)", expected).isTrue();
        assertThat(actual).as("emitted code differs from %s; if intended, rerun with -Dgolden.update=true and review the diff", expected)
                .isEqualTo(Files.readString(expected, StandardCharsets.UTF_8));
    }
}
