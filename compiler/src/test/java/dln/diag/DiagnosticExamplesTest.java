package dln.diag;

import static org.assertj.core.api.Assertions.assertThat;

import dln.Compiler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * One example per diagnostic code, as javac keeps one example per diagnostic key (its
 * CheckExamples test). Every top-level file {@code DLNxxx_short_description.dln} under
 * src/test/resources/diagnostics starts with a `//` comment that says what mistake it shows, and
 * lists every diagnostic the compiler reports for it, nothing more, one line each:
 *
 * <pre>
 * // expect: LINE:COL SEVERITY[CODE] MESSAGE-SUBSTRING
 * // expect: 4:21 error[DLN013] `relux` is not defined
 * </pre>
 *
 * LINE:COL are 1-based, as dlnc prints them. A diagnostic reported in another file of the example
 * (an imported helper) is written with that file's name as dlnc shows it, before LINE:COL:
 * {@code // expect: imports/cycle_back.dln:2:8 error[DLN011] import cycle}. Files in subfolders
 * (imports/) are helpers that examples import, not examples.
 *
 * <p>{@link #everyCodeHasAnExample()} fails, naming the code, when a {@link Diag} has no example
 * whose name starts with its code and which expects it.
 */
class DiagnosticExamplesTest {
    static final Path DIR = Path.of("src/test/resources/diagnostics");

    private static final Pattern EXAMPLE_NAME = Pattern.compile("(DLN\\d{3})_[a-z0-9_]+\\.dln");
    private static final Pattern EXPECT = Pattern.compile(
            "^\\s*// expect: (?:(\\S+):)?(\\d+):(\\d+) (error|warning)\\[(DLN\\d{3})\\] (.+?)\\s*$");

    /** Where a diagnostic is and what it is; {@code file} is the example's own name for its own diagnostics. */
    record Key(String file, int line, int column, String severity, String code) {
        @Override public String toString() {
            return file + ":" + line + ":" + column + " " + severity + "[" + code + "]";
        }
    }

    /** One `// expect:` line of an example. */
    record Expectation(Key key, String message, int sourceLine) {}

    static List<Path> examples() {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().startsWith("DLN")
                            && p.getFileName().toString().endsWith(".dln"))
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Expectation> expectations(Path example) {
        String name = example.getFileName().toString();
        List<String> lines = read(example);
        List<Expectation> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.contains("// expect:")) continue;
            Matcher m = EXPECT.matcher(line);
            assertThat(m.matches())
                    .as("%s:%d: an expectation must read `// expect: LINE:COL SEVERITY[CODE] MESSAGE`, but is: %s", name, i + 1, line)
                    .isTrue();
            String file = m.group(1) == null ? name : m.group(1);
            Key key = new Key(file, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), m.group(4), m.group(5));
            out.add(new Expectation(key, m.group(6), i + 1));
        }
        return out;
    }

    static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Key keyOf(Diagnostic d) {
        return new Key(d.span().source().name(), d.span().line(), d.span().column(), d.severity().label(), d.code());
    }

    @TestFactory
    Stream<DynamicTest> eachExampleReportsExactlyWhatItExpects() {
        assertThat(examples()).as("examples in %s", DIR.toAbsolutePath()).isNotEmpty();
        return examples().stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), p.toUri(), () -> check(p)));
    }

    static void check(Path example) {
        String name = example.getFileName().toString();
        assertThat(name).as("example file name").matches(EXAMPLE_NAME);
        assertThat(read(example).get(0)).as("%s: the first line says in words what mistake the example shows", name)
                .startsWith("// ");

        List<Expectation> expected = expectations(example);
        assertThat(expected).as("%s has no `// expect:` line", name).isNotEmpty();

        List<Diagnostic> actual = Compiler.check(example, name).diagnostics().all();
        String report = actual.stream().map(d -> "  " + keyOf(d) + " " + d.message()).collect(Collectors.joining("\n"));
        assertThat(actual.stream().map(DiagnosticExamplesTest::keyOf).sorted(Comparator.comparing(Key::toString)).toList())
                .as("%s: the diagnostics (file:line:col severity[code]) differ from its expectations; the compiler reported:%n%s",
                        name, report)
                .isEqualTo(expected.stream().map(Expectation::key).sorted(Comparator.comparing(Key::toString)).toList());

        List<Diagnostic> unmatched = new ArrayList<>(actual);
        for (Expectation e : expected) {
            Diagnostic match = unmatched.stream()
                    .filter(d -> keyOf(d).equals(e.key()) && d.message().contains(e.message()))
                    .findFirst().orElse(null);
            assertThat(match)
                    .as("%s:%d: expected a message containing \"%s\" at %s; the compiler reported:%n%s",
                            name, e.sourceLine(), e.message(), e.key(), report)
                    .isNotNull();
            unmatched.remove(match);
        }
    }

    @Test
    void everyCodeHasAnExample() {
        Set<Diag> covered = EnumSet.noneOf(Diag.class);
        for (Path example : examples()) {
            Matcher m = EXAMPLE_NAME.matcher(example.getFileName().toString());
            Diag named = m.matches() ? Diag.ofCode(m.group(1)) : null;
            if (named != null && expectations(example).stream().anyMatch(e -> e.key().code().equals(named.code()))) covered.add(named);
        }
        Set<Diag> missing = EnumSet.allOf(Diag.class);
        missing.removeAll(covered);
        assertThat(missing.stream().map(d -> d.code() + " " + d).toList())
                .as("codes without an example: add %s/<CODE>_short_description.dln that expects each of them", DIR)
                .isEmpty();
    }

    @Test
    void exampleNamesStartWithAnExistingCode() {
        Set<String> codes = Stream.of(Diag.values()).map(Diag::code).collect(Collectors.toSet());
        List<String> strays = new ArrayList<>();
        for (Path example : examples()) {
            Matcher m = EXAMPLE_NAME.matcher(example.getFileName().toString());
            if (!m.matches() || !codes.contains(m.group(1))) strays.add(example.getFileName().toString());
        }
        assertThat(strays).as("example files must be named DLNxxx_short_description.dln after an existing code").isEmpty();
    }
}
