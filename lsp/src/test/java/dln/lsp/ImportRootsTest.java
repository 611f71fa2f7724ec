package dln.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The language server reads what a document imports only inside the editor's workspace folders (or
 * the document's own folder, for a file opened on its own): a repository just opened cannot make it
 * read, and show in diagnostics, a file elsewhere on the machine.
 */
class ImportRootsTest {
    private static final String MODEL = "model M {\n input x: [3]\n output y = x -> dense(width)\n}\n";

    @TempDir Path tmp;

    @Test
    void importsStayInsideTheWorkspaceFolders() throws Exception {
        Path workspace = Files.createDirectories(tmp.resolve("workspace"));
        Path sub = Files.createDirectories(workspace.resolve("nets"));
        Path outside = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(workspace.resolve("common.dln"), "const width = 4\n");
        Files.writeString(outside.resolve("secret.dln"), "SECRET_TOKEN=hunter2\n");

        try (TestClient client = new TestClient(new DlnLanguageServer(code -> {}), List.of(workspace.toUri().toString()))) {
            String ok = sub.resolve("ok.dln").toUri().toString();
            client.open(ok, "import \"../common.dln\"\n" + MODEL);
            assertThat(client.awaitDiagnostics(ok, p -> true).getDiagnostics()).isEmpty();

            String hostile = sub.resolve("hostile.dln").toUri().toString();
            client.open(hostile, "import \"../../elsewhere/secret.dln\"\nimport \"/etc/passwd\"\nconst width = 4\n" + MODEL);
            PublishDiagnosticsParams p = client.awaitDiagnostics(hostile, d -> !d.getDiagnostics().isEmpty());
            assertThat(p.getDiagnostics()).extracting(d -> d.getCode().getLeft()).containsExactly("DLN009", "DLN009");
            assertThat(p.getDiagnostics().get(0).getMessage()).contains("it is outside the project's source folders");
            assertThat(p.getDiagnostics().get(1).getMessage()).contains("only `.dln` files can be imported");
            assertThat(client.diagnostics).noneMatch(d -> d.toString().contains("hunter2") || d.getUri().contains("elsewhere"));
        }
    }

    @Test
    void aFileOpenedOnItsOwnImportsFromItsFolderOnly() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("single/nets"));
        Files.writeString(tmp.resolve("single/common.dln"), "const width = 4\n");
        try (TestClient client = new TestClient()) {
            String uri = folder.resolve("alone.dln").toUri().toString();
            client.open(uri, "import \"../common.dln\"\n" + MODEL);
            PublishDiagnosticsParams p = client.awaitDiagnostics(uri, d -> !d.getDiagnostics().isEmpty());
            assertThat(p.getDiagnostics()).extracting(d -> d.getCode().getLeft()).contains("DLN009");
        }
    }

    @Test
    void anUntitledDocumentImportsNothing() throws Exception {
        try (TestClient client = new TestClient(new DlnLanguageServer(code -> {}), List.of(tmp.toUri().toString()))) {
            Files.writeString(tmp.resolve("common.dln"), "const width = 4\n");
            client.open("untitled:Untitled-1", "import \"common.dln\"\n" + MODEL);
            PublishDiagnosticsParams p = client.awaitDiagnostics("untitled:Untitled-1", d -> !d.getDiagnostics().isEmpty());
            assertThat(p.getDiagnostics()).extracting(d -> d.getCode().getLeft()).contains("DLN009");
        }
    }
}
