package dln.diag;

import static org.assertj.core.api.Assertions.assertThat;

import dln.Compiler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bounded output: at most {@link Diagnostics#MAX_KEPT} errors (and as many warnings) are kept and
 * printed, the rest are counted; name suggestions are computed only for kept diagnostics; megabytes
 * of garbage end in a bounded report. The timeouts are hang guards, not speed measurements.
 */
class DiagnosticsLimitTest {
    private static String undefinedNames(int defined, int undefined) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < defined; i++) text.append("const c").append(i).append(" = ").append(i).append('\n');
        for (int i = 0; i < undefined; i++) text.append("const d").append(i).append(" = c").append(i).append("x\n");
        return text.toString();
    }

    @Test
    void keepsTheFirstHundredErrorsAndCountsTheRest() {
        Compiler.Result result = Compiler.check(Source.of("many.dln", undefinedNames(10, 250)));
        Diagnostics diags = result.diagnostics();
        assertThat(diags.errorCount()).isEqualTo(250);
        assertThat(diags.all()).hasSize(Diagnostics.MAX_KEPT);
        assertThat(diags.notKept()).isEqualTo(150);
        // the kept ones are the first reported, in order, with their suggestions
        assertThat(diags.all().get(0).message()).isEqualTo("`c0x` is not defined");
        assertThat(diags.all().get(0).helps()).containsExactly("did you mean `c0`?");
        assertThat(diags.all().get(99).message()).isEqualTo("`c99x` is not defined");
    }

    @Test
    void helpSuppliersRunOnlyForKeptDiagnostics() {
        Source source = Source.of("x.dln", "x");
        Diagnostics diags = new Diagnostics();
        AtomicInteger computed = new AtomicInteger();
        for (int i = 0; i < 3 * Diagnostics.MAX_KEPT; i++) {
            diags.report(Diag.UndefinedName, new Span(source, 0, 1), "n" + i).help(() -> "help " + computed.incrementAndGet());
        }
        assertThat(computed).hasValue(Diagnostics.MAX_KEPT);
        assertThat(diags.errorCount()).isEqualTo(3 * Diagnostics.MAX_KEPT);
        // warnings have a budget of their own
        diags.report(Diag.UnusedName, new Span(source, 0, 1), "w");
        assertThat(diags.all()).hasSize(Diagnostics.MAX_KEPT + 1);
        assertThat(diags.warningCount()).isEqualTo(1);
    }

    /** 5,000 unknown names among 5,000 defined ones: suggestions for the hundred shown only. */
    @Test
    @Timeout(120)
    void manyUnknownNamesAmongManyDefinedOnes() {
        Compiler.Result result = Compiler.check(Source.of("names.dln", undefinedNames(5_000, 5_000)));
        assertThat(result.diagnostics().errorCount()).isEqualTo(5_000);
        assertThat(result.diagnostics().all()).hasSize(Diagnostics.MAX_KEPT);
    }

    @Test
    @Timeout(120)
    void megabytesOfGarbageEndInABoundedReport() throws IOException {
        Random random = new Random(12);
        byte[] bytes = new byte[2_000_000];
        random.nextBytes(bytes);
        String[] tokens = {"model", "block", "const", "{", "}", "(", ")", "->", "=", ",", ":", "x", "1", "[", "]", "\n", "dense(3)", "@"};
        StringBuilder words = new StringBuilder();
        while (words.length() < 2_000_000) words.append(tokens[random.nextInt(tokens.length)]).append(' ');
        for (String text : new String[] {new String(bytes, StandardCharsets.ISO_8859_1), words.toString(), "const a = \n".repeat(200_000)}) {
            Compiler.Result result = Compiler.check(Source.of("garbage.dln", text));
            Diagnostics diags = result.diagnostics();
            assertThat(diags.errorCount()).isGreaterThan(Diagnostics.MAX_KEPT);
            assertThat(diags.all()).hasSizeLessThanOrEqualTo(2 * Diagnostics.MAX_KEPT);
            String rendered = new Renderer(false).render(diags);
            assertThat(rendered.length()).isLessThan(200_000);
            assertThat(rendered).contains("more not shown");
        }
    }
}
