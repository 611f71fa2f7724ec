package dln.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The linker's folders are read as ld.so reads them, and a library that cannot load is reported as missing, silently. */
class NativeLibrariesTest {
    @TempDir Path dir;

    @Test void ldSoConfListsFoldersAndIncludesFilesByPattern() throws IOException {
        Path d = Files.createDirectories(dir.resolve("ld.so.conf.d"));
        Files.writeString(d.resolve("b-second.conf"), "/opt/second/lib\n");
        Files.writeString(d.resolve("a-first.conf"), "# a comment\n/opt/first/lib  # trailing comment\n\n");
        Files.writeString(d.resolve("ignored.txt"), "/opt/ignored\n");
        Path conf = Files.writeString(dir.resolve("ld.so.conf"), "/usr/local/lib\ninclude ld.so.conf.d/*.conf\n");
        Set<Path> dirs = new LinkedHashSet<>();
        NativeLibraries.confFolders(conf, dirs, 0);
        assertThat(dirs).containsExactly(Path.of("/usr/local/lib"), Path.of("/opt/first/lib"), Path.of("/opt/second/lib"));
    }

    @Test void anIncludeOfItselfEnds() throws IOException {
        Path conf = Files.writeString(dir.resolve("loop.conf"), "/x\ninclude loop.conf\n");
        Set<Path> dirs = new LinkedHashSet<>();
        NativeLibraries.confFolders(conf, dirs, 0);
        assertThat(dirs).containsExactly(Path.of("/x"));
    }

    /** An empty or foreign file is not handed to the JVM's loader, which would warn about it on stderr. */
    @Test void onlyElfFilesAreLoaded() throws IOException {
        Path empty = Files.write(dir.resolve("libempty.so"), new byte[0]);
        Path text = Files.writeString(dir.resolve("libtext.so"), "not a library");
        Path fakeElf = Files.write(dir.resolve("libfake.so"), new byte[] {0x7f, 'E', 'L', 'F', 0, 0});
        assertThat(NativeLibraries.elf(empty)).isFalse();
        assertThat(NativeLibraries.elf(text)).isFalse();
        assertThat(NativeLibraries.elf(fakeElf)).isTrue();
        assertThat(NativeLibraries.loads(empty)).isFalse();
        assertThat(NativeLibraries.loads(dir.resolve("libmissing.so"))).isFalse();
    }

    @Test void aLibraryNowhereIsNull() {
        assertThat(NativeLibraries.load("libdln-no-such-library.so.7")).isNull();
    }

    @Test void theLinkersFoldersIncludeTheDefaultOnes() {
        assertThat(NativeLibraries.linkerFolders()).contains(Path.of("/lib"), Path.of("/usr/lib"));
    }
}
