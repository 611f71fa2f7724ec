package dln.maven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the last build did for each .dln file: a digest of everything the file's compilation
 * depended on, the files it read (itself, then its imports), and the files it wrote. Kept as
 * text under target, one block per file:
 * <pre>
 * source com/acme/net.dln
 * digest 3a7f...
 * read com/acme/net.dln
 * read com/acme/layers.dln
 * wrote ../generated-sources/dln/com/acme/Net.java
 * </pre>
 * Reads are relative to the source folder, writes to the state file's folder, so that a moved
 * project stays up to date. A lost or unreadable state only costs a full rebuild.
 */
final class BuildState {
    /** One source's last compilation; an empty digest marks a failed one, which is never up to date. */
    record Entry(String digest, List<String> reads, List<String> wrote) {
        boolean failed() { return digest.isEmpty(); }
    }

    private static final String HEADER = "# dln-maven-plugin: what each .dln file read and wrote. Delete to regenerate everything.";

    private BuildState() {}

    static Map<String, Entry> read(Path file) {
        Map<String, Entry> entries = new TreeMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return entries;   // none yet, or unreadable: everything is rebuilt
        }
        String source = null;
        Entry entry = null;
        for (String line : lines) {
            int space = line.indexOf(' ');
            if (line.startsWith("#") || space < 0) continue;
            String key = line.substring(0, space), value = line.substring(space + 1);
            switch (key) {
                case "source" -> {
                    source = value;
                    entry = new Entry("", new ArrayList<>(), new ArrayList<>());
                    entries.put(source, entry);
                }
                case "digest" -> { if (source != null) entries.put(source, entry = new Entry(value, entry.reads(), entry.wrote())); }
                case "read" -> { if (entry != null) entry.reads().add(value); }
                case "wrote" -> { if (entry != null) entry.wrote().add(value); }
                default -> { }
            }
        }
        return entries;
    }

    /** Writes the state, only when it changed: an unchanged build touches no file. */
    static void write(Path file, Map<String, Entry> entries) throws IOException {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (var e : new TreeMap<>(entries).entrySet()) {
            text.append("source ").append(e.getKey()).append('\n');
            text.append("digest ").append(e.getValue().digest()).append('\n');
            for (String r : e.getValue().reads()) text.append("read ").append(r).append('\n');
            for (String w : e.getValue().wrote()) text.append("wrote ").append(w).append('\n');
        }
        Outputs.writeIfChanged(file, text.toString());
    }

    /**
     * SHA-256 of {@code salt} (the compiler's version and the settings that shape the output) and
     * of each file's path and bytes, in order. Null when one of them can no longer be read.
     */
    static String digest(String salt, Path sourceDir, List<String> reads) {
        MessageDigest sha = sha256();
        sha.update(salt.getBytes(StandardCharsets.UTF_8));
        for (String r : reads) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(sourceDir.resolve(r));
            } catch (IOException e) {
                return null;
            }
            sha.update(("\0" + r + "\0" + bytes.length + "\0").getBytes(StandardCharsets.UTF_8));
            sha.update(bytes);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
