package dln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: output, exit codes 0/1/2, help and version. */
class DlncTest {
    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    static Run dlnc(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Dlnc.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void aGoodFilePrintsASummaryAndExitsZero() throws IOException {
        Path f = file("ok.dln", "model Tiny {\n input x: [4]\n output y = x -> dense(3) -> softmax\n}\n");
        Run r = dlnc("check", f.toString());
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("model Tiny", "dense_1 (dense)", "dense_1.weight", "[3, 4]", "Total params: 15");
    }

    @Test
    void theCheckIsTheDefaultCommand() throws IOException {
        Path f = file("ok.dln", "model Tiny {\n input x: [4]\n output y = x -> dense(3)\n}\n");
        assertThat(dlnc(f.toString()).code()).isZero();
    }

    @Test
    void errorsAreRenderedGnuStyleAndExitOne() throws IOException {
        Path f = file("bad.dln", "model Bad {\n input x: [1, 4, 4]\n output y = x -> dense(3)\n}\n");
        Run r = dlnc("check", "--color=never", f.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(f + ":3:18: error[DLN041]: dense expects a 1-D input, but its input has shape [1, 4, 4]")
                .contains("3 |  output y = x -> dense(3)")
                .contains("  |                  ^^^^^^^^")
                .contains("= help: insert `-> flatten` before `dense(3)`")
                .contains("1 error");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void warningsDoNotFailUnlessAsked() throws IOException {
        Path f = file("warn.dln", "model W {\n input x: [1, 5, 5]\n output y = x -> maxpool2d(2)\n}\n");
        Run r = dlnc("check", "--color=never", f.toString());
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("warning[DLN045]").contains("1 warning");
        assertThat(dlnc("check", "-W", f.toString()).code()).isEqualTo(1);
    }

    @Test
    void aMissingFileIsBadInput() {
        Run r = dlnc("check", dir.resolve("nope.dln").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("nope.dln: no such file");
    }

    @Test
    void aDirectoryIsReportedNotThrown() {
        Run r = dlnc("check", "--color=never", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("error[DLN008]").doesNotContain("Exception");
    }

    @Test
    void badUsageExitsTwo() {
        assertThat(dlnc("check").code()).isEqualTo(2);
        assertThat(dlnc("--no-such-option").code()).isEqualTo(2);
        assertThat(dlnc().code()).isEqualTo(2);
    }

    @Test
    void helpAndVersion() {
        Run help = dlnc("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("Usage: dlnc", "check", "Exit codes");
        Run version = dlnc("--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("dlnc ");
    }

    @Test
    void importsResolveRelativeToTheImportingFile() throws IOException {
        file("lib/blocks.dln", "block twice(x, n: int) {\n return x -> dense(n) -> dense(n)\n}\n");
        Path main = file("main.dln", "import \"lib/blocks.dln\"\nmodel M {\n input x: [3]\n output y = x -> twice(2)\n}\n");
        Run r = dlnc("check", main.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("twice_1.dense_2.weight");
    }

    @Test
    void importCyclesAndMissingImportsAreReportedAtTheImport() throws IOException {
        file("a.dln", "import \"b.dln\"\n");
        file("b.dln", "import \"a.dln\"\n");
        Path main = file("main.dln", "import \"a.dln\"\nimport \"missing.dln\"\nmodel M {\n input x: [3]\n output y = x -> dense(1)\n}\n");
        Run r = dlnc("check", "--color=never", main.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("error[DLN011]: import cycle: a.dln -> b.dln -> a.dln")
                .contains("main.dln:2:8: error[DLN010]: cannot import \"missing.dln\"");
    }
}
