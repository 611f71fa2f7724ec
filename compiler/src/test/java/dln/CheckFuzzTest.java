package dln;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dln.diag.Source;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzzing of the parser and checker, as the language server calls them on the text
 * of an editor ({@link Compiler#check(Source)}), and of code generation for what passes the checks
 * (docs/FUZZING.md). The invariants are {@link RobustnessTest}'s: success or diagnostics that render
 * and stay inside the file, never an exception; and at most one diagnostic per character, give or take.
 */
class CheckFuzzTest {
    /** Diagnostics a file may have besides one per character: an empty file still has its own. */
    private static final int SPARE_DIAGNOSTICS = 16;

    /** The samples, the hand-written snippets and the example of every diagnostic code. */
    static Stream<byte[]> programs() throws IOException {
        List<String> texts = new ArrayList<>(RobustnessTest.samples().values());
        texts.addAll(RobustnessTest.snippets());
        try (Stream<Path> examples = Files.list(Path.of("src/test/resources/diagnostics"))) {
            examples.filter(f -> f.toString().endsWith(".dln")).sorted().forEach(f -> texts.add(read(f)));
        }
        return texts.stream().map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @MethodSource("programs")
    @FuzzTest
    void checksOrReports(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8); // malformed bytes become U+FFFD, as the loader reads files
        // Imports resolve against the working directory: the fuzzer must not wait on `import "/dev/stdin"`.
        if (text.contains("/dev/") || text.contains("/proc/") || text.contains("/sys/")) return;
        Compiler.Result result = Compiler.check(Source.of("fuzz.dln", text));
        String problem = RobustnessTest.problem(result, text);
        if (problem != null) throw new AssertionError(problem);
        int diagnostics = result.diagnostics().all().size();
        if (diagnostics > text.length() + SPARE_DIAGNOSTICS) {
            throw new AssertionError(diagnostics + " diagnostics for a " + text.length() + "-char file");
        }
        if (result.ok()) Compiler.generate(result, "fuzz", "fuzz.dln");
    }
}
