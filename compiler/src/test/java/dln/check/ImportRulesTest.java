package dln.check;

import static org.assertj.core.api.Assertions.assertThat;

import dln.Compiler;
import dln.diag.Diagnostic;
import dln.diag.Renderer;
import dln.diag.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Imports of a hostile file: only regular `.dln` files inside the source roots are read, and
 * nothing else is opened, waited on or quoted. Each case checks the code, that the check ends
 * (hang guards), and that no line of a file outside the project reaches the output.
 */
@Timeout(60)
class ImportRulesTest {
    private static final String MODEL = "model M {\n input x: [3]\n output y = x -> dense(1)\n}\n";
    private static final String SECRET = "SECRET_TOKEN=hunter2";

    @TempDir Path tmp;
    private Path project;
    private Path outside;

    @BeforeEach
    void layout() throws IOException {
        project = Files.createDirectories(tmp.resolve("project"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        // a file that would be quoted if read: its only line is a syntax error
        Files.writeString(outside.resolve("secret.dln"), SECRET + "\n");
        Files.writeString(outside.resolve("secret.txt"), SECRET + "\n");
    }

    private Path main(String imports) throws IOException {
        Path main = project.resolve("main.dln");
        Files.writeString(main, imports + MODEL);
        return main;
    }

    private record Checked(List<Diagnostic> diagnostics, String rendered) {
        Diagnostic only() {
            assertThat(diagnostics).hasSize(1);
            return diagnostics.get(0);
        }
    }

    private Checked check(Path main, SourceRoots roots) {
        Compiler.Result result = Compiler.check(main, "main.dln", roots);
        String rendered = new Renderer(false).render(result.diagnostics());
        assertThat(rendered).doesNotContain("hunter2");
        return new Checked(result.diagnostics().all(), rendered);
    }

    private Checked check(Path main) {
        return check(main, SourceRoots.forCommandLine(main, List.of()));
    }

    @Test
    void onlyDlnFilesAreImported() throws IOException {
        for (String target : List.of("/etc/passwd", "../outside/secret.txt", "/dev/stdin", "/proc/self/fd/1", "/dev/zero", ".", "lib/")) {
            Diagnostic d = check(main("import \"" + target + "\"\n")).only();
            assertThat(d.code()).as(target).isEqualTo("DLN009");
            assertThat(d.message()).isEqualTo("cannot import \"" + target + "\": only `.dln` files can be imported");
        }
    }

    @Test
    void filesOutsideTheRootsAreNeitherReadNorLookedFor() throws IOException {
        for (String target : List.of("../outside/secret.dln", outside.resolve("secret.dln").toString(), "../outside/missing.dln", "/etc/nothing-here.dln")) {
            Checked c = check(main("import \"" + target + "\"\n"));
            Diagnostic d = c.only();
            assertThat(d.code()).as(target).isEqualTo("DLN009");
            // a missing file outside reads exactly as an existing one: nothing is revealed about what exists there
            assertThat(d.message()).isEqualTo("cannot import \"" + target + "\": it is outside the project's source folders");
            assertThat(d.helps()).singleElement().asString()
                    .isEqualTo("imports stay inside " + project + "; add the folder that holds it with `--import-path DIR`");
        }
    }

    @Test
    void aLinkInsideTheProjectToAFileOutsideIsRefused() throws IOException {
        Files.createSymbolicLink(project.resolve("layers.dln"), outside.resolve("secret.dln"));
        Files.createSymbolicLink(project.resolve("in.dln"), Path.of("/dev/stdin"));
        Files.createDirectories(project.resolve("lib"));
        Files.createSymbolicLink(project.resolve("lib/up"), outside);
        for (String target : List.of("layers.dln", "in.dln", "lib/up/secret.dln")) {
            Diagnostic d = check(main("import \"" + target + "\"\n")).only();
            assertThat(d.code()).as(target).isEqualTo("DLN009");
            assertThat(d.message()).isEqualTo("cannot import \"" + target + "\": it is a link to a file outside the project's source folders");
        }
    }

    @Test
    void aLinkThatStaysInsideIsFollowed() throws IOException {
        Files.createDirectories(project.resolve("lib"));
        Files.writeString(project.resolve("lib/blocks.dln"), "const width = 4\n");
        Files.createSymbolicLink(project.resolve("blocks.dln"), project.resolve("lib/blocks.dln"));
        assertThat(check(main("import \"blocks.dln\"\n")).diagnostics()).isEmpty();
    }

    @Test
    void aPipeIsNotOpened() throws Exception {
        Path fifo = project.resolve("pipe.dln");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        Diagnostic d = check(main("import \"pipe.dln\"\n")).only();   // opening it would block: the timeout would fail the test
        assertThat(d.code()).isEqualTo("DLN008");
        assertThat(d.message()).isEqualTo("cannot read pipe.dln: it is a device, a pipe or a socket, not a regular file");
    }

    @Test
    void aFileOverTheLimitIsNotRead() throws IOException {
        byte[] big = new byte[Loader.MAX_BYTES + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        Files.write(project.resolve("big.dln"), big);
        Diagnostic d = check(main("import \"big.dln\"\n")).only();
        assertThat(d.code()).isEqualTo("DLN008");
        assertThat(d.message()).isEqualTo("cannot read big.dln: it is larger than 16 MiB");
    }

    @Test
    void anImportPathFolderIsARoot() throws IOException {
        Path main = main("import \"../outside/layers.dln\"\n");
        Files.writeString(outside.resolve("layers.dln"), "const width = 4\n");
        assertThat(check(main).only().code()).isEqualTo("DLN009");
        assertThat(check(main, SourceRoots.forCommandLine(main, List.of(outside))).diagnostics()).isEmpty();
    }

    @Test
    void textInNoFileImportsNothing() {
        Compiler.Result r = Compiler.check(Source.of("untitled", "import \"lib.dln\"\n" + MODEL));
        assertThat(r.diagnostics().all()).singleElement()
                .satisfies(d -> assertThat(d.message()).isEqualTo("cannot import \"lib.dln\": it is outside the project's source folders"));
    }
}
