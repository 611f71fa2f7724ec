package dln.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcesTest {
    @Test
    void thePackageIsTheFolder() {
        assertThat(Sources.packageOf("com/acme/net.dln")).isEqualTo("com.acme");
        assertThat(Sources.packageOf("net.dln")).isEqualTo("dln.models");
    }

    @Test
    void aFolderThatIsNoJavaNameGivesNoPackage() {
        assertThat(Sources.packageOf("my-nets/net.dln")).isNull();
        assertThat(Sources.packageOf("com/int/net.dln")).isNull();
    }

    @Test
    void scanningFiltersAndSorts(@TempDir Path dir) throws Exception {
        for (String f : List.of("b.dln", "a/z.dln", "a/y.dln", "blocks/common.dln", "notes.txt")) {
            Files.createDirectories(dir.resolve(f).getParent());
            Files.writeString(dir.resolve(f), "");
        }
        assertThat(Sources.scan(dir, List.of("**/*.dln"), List.of("blocks/**")))
                .containsExactly("a/y.dln", "a/z.dln", "b.dln");
        assertThat(Sources.scan(dir.resolve("missing"), List.of("**/*.dln"), List.of())).isEmpty();
    }
}
