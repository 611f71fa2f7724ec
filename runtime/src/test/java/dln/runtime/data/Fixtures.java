package dln.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The committed files under src/test/resources/data (made by make_fixtures.py there), and the real data sets. */
final class Fixtures {
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
    static final Path DIGITS = Path.of("/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz");

    private Fixtures() {}

    static Path fixture(String name) {
        try {
            var url = Fixtures.class.getResource("/data/" + name);
            if (url == null) throw new IllegalArgumentException("no fixture " + name);
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A real data set from a Debian package, which CI installs; a missing one fails the test with how to install it. */
    static Path installed(Path file, String debianPackage) {
        assertThat(Files.isRegularFile(file))
                .as(file + " is missing: install it with `apt-get install " + debianPackage + "`")
                .isTrue();
        return file;
    }
}
