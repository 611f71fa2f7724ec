package dln.diag;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The catalogue itself: every entry has a name and a well-formed code of its own, its code finds it
 * again, and the table of docs/LANGUAGE.md (section 8.2) lists exactly these codes with these names
 * and severities. That every code has an example is {@link DiagnosticExamplesTest}'s part.
 */
class DiagTest {
    static final Path DOCS = Path.of("../docs/LANGUAGE.md");

    /** A row of the docs table: `| DLN041 | WrongInputRank | error | a layer's input has the wrong rank |`. */
    private static final Pattern ROW = Pattern.compile("^\\| (DLN\\d{3}) \\| (\\S+) \\| (error|warning) \\| .+\\|$");

    @Test
    void codesAreWellFormedDistinctAndInOrder() {
        List<String> codes = Stream.of(Diag.values()).map(Diag::code).toList();
        assertThat(codes).allSatisfy(code -> assertThat(code).matches("DLN\\d{3}"));
        assertThat(codes).doesNotHaveDuplicates();
        assertThat(codes).as("the catalogue reads in the order of its codes").isSorted();
    }

    @Test
    void namesSayWhatWentWrongAndAreDistinct() {
        List<String> names = Stream.of(Diag.values()).map(Diag::name).toList();
        assertThat(names).as("names are UpperCamelCase words, not codes")
                .allSatisfy(name -> assertThat(name).matches("[A-Z][a-z]+([A-Z0-9][a-z0-9]*)*").doesNotContain("DLN"));
        assertThat(names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList())
                .as("names that differ only in case would be easy to confuse").doesNotHaveDuplicates();
    }

    @Test
    void aCodeFindsItsEntry() {
        for (Diag d : Diag.values()) assertThat(Diag.ofCode(d.code())).isSameAs(d);
        assertThat(Diag.ofCode("DLN999")).isNull();
        assertThat(Diag.ofCode("WrongInputRank")).isNull();
    }

    @Test
    void theDocsTableListsEveryCodeWithItsNameAndSeverity() throws IOException {
        Map<String, String> documented = new LinkedHashMap<>();
        List<String> twice = new ArrayList<>();
        for (String line : Files.readAllLines(DOCS, StandardCharsets.UTF_8)) {
            Matcher m = ROW.matcher(line);
            if (m.matches() && documented.put(m.group(1), m.group(2) + " " + m.group(3)) != null) twice.add(m.group(1));
        }
        Map<String, String> catalogue = Stream.of(Diag.values()).collect(Collectors.toMap(
                Diag::code, d -> d.name() + " " + d.severity().label(), (a, b) -> a, LinkedHashMap::new));
        assertThat(twice).as("codes listed twice in %s", DOCS).isEmpty();
        assertThat(documented)
                .as("the table of %s (section 8.2: | code | name | severity | meaning |) against dln.diag.Diag", DOCS)
                .containsExactlyEntriesOf(catalogue);
    }
}
