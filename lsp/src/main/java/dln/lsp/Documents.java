package dln.lsp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The documents the editor has open, by URI, as last sent (full text sync). */
final class Documents {
    private final Map<String, Document> open = new ConcurrentHashMap<>();

    void open(Document doc) { open.put(doc.uri(), doc); }

    /** Replaces the text of an open document; returns the new state, or null when it is not open. */
    Document change(String uri, int version, String text) {
        return open.computeIfPresent(uri, (u, doc) -> doc.edited(version, text));
    }

    void close(String uri) { open.remove(uri); }

    /** The document as last sent, or null when it is not open. */
    Document get(String uri) { return open.get(uri); }

    boolean isOpen(String uri) { return open.containsKey(uri); }

    java.util.Set<String> uris() { return java.util.Set.copyOf(open.keySet()); }
}
