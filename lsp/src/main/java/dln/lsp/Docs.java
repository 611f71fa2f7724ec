package dln.lsp;

import dln.check.Signatures;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * One documentation line per built-in name, keyed `<kind>.<name>` (`layer.dense`, `loss.mse`): a
 * layer's from its description in the compiler, the others from docs.properties.
 */
final class Docs {
    private static final Properties LINES = load();

    private Docs() {}

    /** The line for {@code name} of {@code kind}, or null when there is none. */
    static String line(String kind, String name) {
        if (kind.equals("layer")) {
            Signatures.Signature layer = Signatures.layers().get(name);
            return layer == null ? null : layer.doc();
        }
        return LINES.getProperty(kind + "." + name);
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Docs.class.getResourceAsStream("docs.properties")) {
            if (in != null) p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
