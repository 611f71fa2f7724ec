package dln.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dln.Compiler;
import dln.diag.Diagnostic;
import dln.diag.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The language contract (../shared/spec): every sample is accepted without errors, the copies
 * under samples/ are identical to the contract's files, and every file in errors/ is rejected
 * with exactly the diagnostics its comments describe.
 */
class ContractTest {
    static final Path SAMPLES = Path.of("").toAbsolutePath().resolve(Path.of(".")).normalize();
    static final Path SPEC = SAMPLES.resolve("../../shared/spec").normalize();

    static Stream<Path> samples() throws IOException {
        try (Stream<Path> files = Files.list(SAMPLES)) {
            return files.filter(p -> p.toString().endsWith(".dln")).sorted().toList().stream();
        }
    }

    /** The contract's files; without ../shared/spec (a clone elsewhere), one null that the test skips, since JUnit refuses an empty source. */
    static Stream<Path> contractFiles() throws IOException {
        if (!Files.isDirectory(SPEC)) return Stream.of((Path) null);
        try (Stream<Path> files = Files.walk(SPEC)) {
            return files.filter(p -> p.toString().endsWith(".dln")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everySampleIsAccepted(Path sample) {
        Compiler.Result result = Compiler.check(sample, SAMPLES.relativize(sample).toString());
        assertThat(result.diagnostics().all()).as("the contract's samples are clean: no errors, no warnings").isEmpty();
        assertThat(result.networks()).isNotEmpty().doesNotContainValue(null);
        assertThat(result.trainings()).doesNotContainValue(null);
    }

    @Test
    void theSamplesIncludeTheWholeContract() throws IOException {
        List<String> names = List.of("fashion_mlp.dln", "lenet5.dln", "perceptron.dln", "resnet_small.dln",
                "sequence_lstm.dln", "tour.dln", "xor.dln", "blocks/common.dln", "errors/conv_too_large.dln",
                "errors/missing_flatten.dln", "errors/several_errors.dln");
        for (String name : names) assertThat(SAMPLES.resolve(name)).isRegularFile();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contractFiles")
    void copiesAreIdenticalToTheContract(Path original) throws IOException {
        Assumptions.assumeTrue(original != null, "../shared/spec is not present");
        Path copy = SAMPLES.resolve(SPEC.relativize(original).toString());
        assertThat(copy).as("samples/ keeps a copy of %s", original).isRegularFile();
        assertThat(Files.readString(copy)).isEqualTo(Files.readString(original));
    }

    @Test
    void theContractFolderIsCheckedWhenPresent() {
        Assumptions.assumeTrue(Files.isDirectory(SPEC), "../shared/spec is not present");
        assertThat(contractFilesCount()).isGreaterThanOrEqualTo(11);
    }

    private static long contractFilesCount() {
        try {
            return contractFiles().filter(java.util.Objects::nonNull).count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Diagnostic> errorsOf(String name) {
        Compiler.Result result = Compiler.check(SAMPLES.resolve(name), name);
        assertThat(result.ok()).isFalse();
        return result.diagnostics().all();
    }

    @Test
    void convTooLargeShowsTheFormulaAtTheSecondConv() {
        List<Diagnostic> all = errorsOf("errors/conv_too_large.dln");
        assertThat(all).hasSize(1);
        Diagnostic d = all.get(0);
        assertThat(d.severity()).isEqualTo(Severity.ERROR);
        assertThat(d.span().line()).isEqualTo(10);
        assertThat(d.span().column()).isEqualTo(12);
        assertThat(d.message()).contains("(W - F + 2P) / S + 1 = (4 - 5 + 0) / 1 + 1 = 0").contains("empty");
    }

    @Test
    void missingFlattenNamesTheShapeAndSuggestsFlatten() {
        List<Diagnostic> all = errorsOf("errors/missing_flatten.dln");
        assertThat(all).hasSize(1);
        Diagnostic d = all.get(0);
        assertThat(d.span().line()).isEqualTo(15);
        assertThat(d.span().column()).isEqualTo(12);
        assertThat(d.span().text()).isEqualTo("dense(120)");
        assertThat(d.message()).isEqualTo("dense expects a 1-D input, but its input has shape [16, 5, 5]");
        assertThat(d.helps()).containsExactly("insert `-> flatten` before `dense(120)`");
    }

    @Test
    void severalErrorsAreAllReportedInSourceOrder() {
        List<Diagnostic> all = errorsOf("errors/several_errors.dln");
        assertThat(all).extracting(d -> d.span().line()).containsExactly(10, 11, 13, 18);
        assertThat(all).allMatch(Diagnostic::isError);
        assertThat(all.get(0).message()).isEqualTo("unknown layer `desne`");
        assertThat(all.get(0).helps()).containsExactly("did you mean `dense`?");
        assertThat(all.get(1).message()).isEqualTo("`relux` is not defined");
        assertThat(all.get(1).helps()).containsExactly("did you mean `relu`?");
        assertThat(all.get(2).message()).isEqualTo("add needs inputs of equal shape, got [32] and [16]");
        assertThat(all.get(3).message()).isEqualTo("unknown optimizer setting `learning_rate` for adam");
        assertThat(all.get(3).helps()).containsExactly("did you mean `lr`?");
    }
}
