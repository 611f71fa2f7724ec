package dln.check;

import static org.assertj.core.api.Assertions.assertThat;

import dln.Compiler;
import dln.diag.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoaderTest {
    // Found by CheckFuzzTest (CheckFuzzTestInputs/checksOrReports/crash-a6c8a2d9...): in-memory text (no path,
    // as an editor's unsaved buffer) that imported one file twice by a relative path read it twice, and the
    // second copy replaced the first among the program's files: the Resolver threw a NullPointerException.
    @Test void inMemoryTextThatImportsAFileTwiceReadsItOnce(@TempDir Path dir) throws IOException {
        Path lib = Files.writeString(dir.resolve("lib.dln"), "block twice(x) { return x -> dense(2) -> dense(2) }\n");
        String relative = Path.of("").toAbsolutePath().relativize(lib).toString();
        String text = "import \"" + relative + "\"\nimport \"" + relative + "\"\n"
                + "model M {\n    input x: [4]\n    output y = x -> twice\n}\n";

        Compiler.Result result = Compiler.check(Source.of("main.dln", text), new SourceRoots(java.util.List.of(dir), "test"));

        assertThat(result.diagnostics().all()).isEmpty();
        assertThat(result.program().units()).hasSize(2);
        assertThat(result.program().imports().get(result.program().main())).containsExactly(result.program().units().get(1));
        assertThat(result.networks()).containsKey("M");
    }
}
