package dln.lsp;

import dln.diag.Source;
import java.net.URI;
import java.nio.file.Path;

/**
 * One open document as the editor last sent it. A file on disk has a path, against which its
 * imports resolve; unsaved buffers (`untitled:`) have none.
 */
record Document(String uri, int version, String text) {

    /** Where the document lives on disk, or null when it is not a file. */
    Path path() {
        try {
            URI u = URI.create(uri);
            return "file".equalsIgnoreCase(u.getScheme()) ? Path.of(u) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The text as the compiler reads it, named by its path so that diagnostics and notes name it as `dlnc` does. */
    Source source() {
        Path path = path();
        return new Source(path != null ? path.toString() : uri, path, text);
    }

    Document edited(int newVersion, String newText) {
        return new Document(uri, newVersion, newText);
    }
}
