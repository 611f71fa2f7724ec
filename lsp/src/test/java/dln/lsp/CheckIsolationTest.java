package dln.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import dln.Compiler;
import dln.check.SourceRoots;
import dln.diag.Source;
import java.nio.file.Path;
import java.util.function.BiFunction;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.DiagnosticSeverity;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One document whose check fails inside the server (the compiler throws on it) never stops the
 * diagnostics of the others: the failure is logged with its trace, the document shows one plain
 * diagnostic saying so, and the other documents, opened before or after it, are checked as usual.
 */
class CheckIsolationTest {
    @TempDir Path dir;

    /** A compiler that fails on files named `bomb*.dln`, with an exception or an error, and checks the others. */
    static BiFunction<Source, SourceRoots, Compiler.Result> failingOn(Throwable failure) {
        return (source, roots) -> {
            if (source.name().contains("bomb")) {
                if (failure instanceof RuntimeException e) throw e;
                throw (Error) failure;
            }
            return Compiler.check(source, roots);
        };
    }

    @Test void aCheckThatThrowsLeavesTheOtherDocumentsChecked() throws Exception {
        assertIsolated(new IllegalStateException("boom"));
    }

    @Test void aCheckThatFailsWithAnErrorLeavesTheOtherDocumentsChecked() throws Exception {
        assertIsolated(new StackOverflowError("deep"));
    }

    private void assertIsolated(Throwable failure) throws Exception {
        String before = dir.resolve("before.dln").toUri().toString();
        String bomb = dir.resolve("bomb.dln").toUri().toString();
        String after = dir.resolve("after.dln").toUri().toString();
        try (TestClient client = new TestClient(new DlnLanguageServer(code -> {}, failingOn(failure)))) {
            client.open(before, DlnLanguageServerTest.BROKEN);
            client.open(bomb, DlnLanguageServerTest.LENET);
            client.open(after, DlnLanguageServerTest.BROKEN);
            // awaitDiagnostics skips what comes first: wait in the order of the checks
            assertShapeError(client.awaitDiagnostics(before, p -> !p.getDiagnostics().isEmpty()));
            assertInternalError(client.awaitDiagnostics(bomb, p -> true));
            assertShapeError(client.awaitDiagnostics(after, p -> !p.getDiagnostics().isEmpty()));

            // and again after edits: the failure does not stick to the worker
            client.change(bomb, DlnLanguageServerTest.LENET + "\n");
            client.change(after, DlnLanguageServerTest.LENET);
            assertInternalError(client.awaitDiagnostics(bomb, p -> p.getVersion() == 2));
            assertThat(client.awaitDiagnostics(after, p -> p.getVersion() == 3).getDiagnostics()).isEmpty();

            synchronized (client.logs) {
                assertThat(client.logs).hasSize(2).allSatisfy(line -> assertThat(line)
                        .startsWith("dln-lsp: internal error while checking " + bomb + ": " + failure.getClass().getName())
                        .contains("\tat "));
            }
        }
    }

    private static void assertInternalError(PublishDiagnosticsParams published) {
        assertThat(published.getDiagnostics()).singleElement().satisfies(d -> {
            assertThat(d.getSeverity()).isEqualTo(DiagnosticSeverity.Error);
            assertThat(d.getMessage()).isEqualTo(Checker.internalError().getMessage())
                    .doesNotContain("Exception", "Error:", "\tat ", "java.");
        });
    }

    private static void assertShapeError(PublishDiagnosticsParams published) {
        assertThat(published.getDiagnostics()).extracting(Diagnostic::getCode).extracting(c -> c.getLeft()).containsExactly("DLN041");
    }
}
