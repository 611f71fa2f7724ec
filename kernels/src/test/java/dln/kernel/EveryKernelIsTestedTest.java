package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kernel set stays complete: every kernel (a Java reference and an OpenCL source, by its
 * interface) is built by some test of this package, where tests compare OpenCL with the reference
 * and gradients with finite differences. A new kernel without a test fails here.
 */
class EveryKernelIsTestedTest {
    static final Path MAIN = Path.of("src/main/java/dln/kernel");
    static final Path TESTS = Path.of("src/test/java/dln/kernel");

    @Test void everyKernelIsBuiltByATest() throws IOException {
        StringBuilder tests = new StringBuilder();
        try (Stream<Path> files = Files.list(TESTS)) {
            for (Path f : files.toList()) tests.append(Files.readString(f));
        }
        Pattern kernel = Pattern.compile("public record (\\w+)\\([^)]*\\)\\s*implements (?:Kernel|Tunable|OptimizerStep)");
        List<String> kernels = new ArrayList<>(), untested = new ArrayList<>();
        try (Stream<Path> files = Files.list(MAIN)) {
            for (Path f : files.sorted().toList()) {
                Matcher m = kernel.matcher(Files.readString(f).replaceAll("\\s+", " "));
                String file = f.getFileName().toString().replace(".java", "");
                while (m.find()) {
                    // a kernel nested in a file of several (LayerNormKernels.Forward) is built by its qualified name
                    String name = m.group(1).equals(file) ? m.group(1) : file + "." + m.group(1);
                    kernels.add(name);
                    if (!tests.toString().contains("new " + name + "(")) untested.add(name);
                }
            }
        }
        assertThat(kernels).as("kernels found").hasSizeGreaterThan(25);
        assertThat(untested).as("kernels that no test builds").isEmpty();
    }
}
