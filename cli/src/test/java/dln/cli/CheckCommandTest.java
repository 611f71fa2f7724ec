package dln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dln.RobustnessTest;
import dln.diag.Diagnostics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `dlnc check`: hostile files never end in an internal error, a flood of errors prints a hundred and
 * a count, import-path folders are roots, and the main file may have any name.
 */
class CheckCommandTest {
    private static final String MODEL = "model M {\n input x: [3]\n output y = x -> dense(1)\n}\n";

    @TempDir Path dir;

    @BeforeAll
    static void readSamples() throws IOException {
        RobustnessTest.readSamples();
    }

    /** `dlnc check` on files: exit code 0 or 1, never 3 (an internal error), and no exception in its output. */
    @Test
    @Timeout(120)
    void theCommandLineNeverReportsAnInternalError() throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("empty.dln", "");
        files.put("nul.dln", "model M {\u0000 input x: [1]\n output y = x -> dense(1) }");
        files.put("cr.dln", "model M {\r input x: [1]\r output y = x -> dense(1)\r}\r");
        files.put("emoji.dln", "// \ud83d\ude00 \u202e\nmodel M { input x: [1]\n output \ud83d\ude00 = x -> dense(1e18) }");
        files.put("deep.dln", "const c = " + "(".repeat(10_000) + "1" + ")".repeat(10_000));
        files.put("pipeline.dln", "model M { input x: [4]\n output y = x" + " -> relu".repeat(5_000) + " }");
        files.put("huge.dln", "model M { input x: [1e15, 1e15]\n output y = x -> flatten -> dropout(1e999) }");
        files.put("cycle.dln", "import \"cycle.dln\"\nimport \"other.dln\"\nimport \".\"\nimport \"missing.dln\"\n");
        files.put("other.dln", "import \"cycle.dln\"\nblock b(x) { return x -> b }\n");
        files.put("selfblock.dln", "block b(x) { return x -> b }\nmodel M { input x: [1]\n output y = x -> b }");
        files.put("good.dln", "model M { input x: [4]\n output y = x -> dense(3) -> softmax }\ntrain M { loss cross_entropy\n optimizer adam }");
        String tour = Files.readString(Path.of("../samples/tour.dln"));
        files.put("tour.dln", tour);
        files.put("blocks/common.dln", Files.readString(Path.of("../samples/blocks/common.dln")));
        files.put("truncated.dln", tour.substring(0, tour.length() / 3));
        List<RobustnessTest.Case> cases = RobustnessTest.cases();
        for (int i = 0; i < cases.size(); i += 250) files.put("case" + i + ".dln", cases.get(i).text());
        Files.createDirectories(dir.resolve("blocks"));
        for (var e : files.entrySet()) Files.write(dir.resolve(e.getKey()), e.getValue().getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("bad-utf8.dln"), new byte[] {'m', 'o', 'd', 'e', 'l', ' ', (byte) 0xff, (byte) 0xc3, '(', (byte) 0xe2, (byte) 0x82});

        List<String> names = new ArrayList<>(files.keySet());
        names.add("bad-utf8.dln");
        for (String name : names) {
            DlncTest.Run r = DlncTest.dlnc("check", dir.resolve(name).toString());
            String output = r.out() + "\n" + r.err();
            assertThat(r.code()).as("exit code of dlnc check %s; output:\n%s", name, output).isIn(0, 1);
            if (name.equals("good.dln") || name.equals("tour.dln")) assertThat(r.code()).as("%s is valid:\n%s", name, output).isZero();
            assertThat(output).as("output of dlnc check %s", name).doesNotContain("Exception", "internal error");
        }
    }

    @Test
    void theCommandLinePrintsAHundredAndACountOfTheRest() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 10; i++) text.append("const c").append(i).append(" = ").append(i).append('\n');
        for (int i = 0; i < 250; i++) text.append("const d").append(i).append(" = c").append(i).append("x\n");
        Path file = Files.writeString(dir.resolve("many.dln"), text);
        DlncTest.Run r = DlncTest.dlnc("check", "--color", "never", file.toString());
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.err().split("error\\[DLN013\\]", -1)).hasSize(Diagnostics.MAX_KEPT + 1);
        assertThat(r.err()).contains("... and 150 more not shown (only the first 100 errors and 100 warnings are)")
                           .endsWith("250 errors\n");
    }

    @Test
    void theCommandLineTakesImportPathFolders() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("layers.dln"), "const width = 4\n");
        Path main = Files.createDirectories(dir.resolve("project")).resolve("main.dln");
        Files.writeString(main, "import \"../outside/layers.dln\"\n" + MODEL);
        assertThat(DlncTest.dlnc("check", "--color=never", main.toString()).code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(DlncTest.dlnc("check", "-q", "-I", outside.toString(), main.toString()).code()).isEqualTo(Dlnc.OK);
        assertThat(DlncTest.dlnc("check", "-q", "--import-path", outside.toString(), main.toString()).code()).isEqualTo(Dlnc.OK);
        DlncTest.Run missing = DlncTest.dlnc("check", "-I", dir.resolve("nowhere").toString(), main.toString());
        assertThat(missing.code()).isEqualTo(Dlnc.USAGE);
        assertThat(missing.err()).contains("--import-path " + dir.resolve("nowhere") + ": no such folder");
        DlncTest.Run aFile = DlncTest.dlnc("check", "-I", outside.resolve("layers.dln").toString(), main.toString());
        assertThat(aFile.code()).isEqualTo(Dlnc.USAGE);
        assertThat(aFile.err()).contains(": not a folder");
    }

    @Test
    void theMainFileAsTheUserNamedItIsRead() throws IOException {
        // the user chose the main file: it may be anywhere and have any name
        Path main = Files.writeString(dir.resolve("model.txt"), MODEL, StandardCharsets.UTF_8);
        assertThat(DlncTest.dlnc("check", "-q", main.toString()).code()).isEqualTo(Dlnc.OK);
    }
}
