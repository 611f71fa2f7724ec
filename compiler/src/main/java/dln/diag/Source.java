package dln.diag;

import java.nio.file.Path;
import java.util.Arrays;

/** The text of one .dln file and the name to show for it in diagnostics. */
public final class Source {
    private final String name;
    private final Path path;
    private final String text;
    private final int[] lineStarts;
    /** True when no character is a surrogate, so that columns are char offsets. */
    private final boolean bmp;

    public Source(String name, Path path, String text) {
        this.name = name;
        this.path = path;
        this.text = text;
        this.lineStarts = lineStarts(text);
        this.bmp = text.chars().noneMatch(c -> Character.isSurrogate((char) c));
    }

    public static Source of(String name, String text) {
        return new Source(name, null, text);
    }

    /** The name shown in diagnostics: the path as the user gave it, or relative to the importer. */
    public String name() { return name; }

    /** Where the file is on disk (imports are resolved against it); null for in-memory text. */
    public Path path() { return path; }

    public String text() { return text; }

    /** 1-based line of a character offset. */
    public int line(int offset) {
        int i = Arrays.binarySearch(lineStarts, Math.max(0, Math.min(offset, text.length())));
        return i >= 0 ? i + 1 : -i - 1;
    }

    /** 1-based column of a character offset, counting code points (a tab counts as one). */
    public int column(int offset) {
        int start = lineStarts[line(offset) - 1];
        int end = Math.max(start, Math.min(offset, text.length()));
        return (bmp ? end - start : text.codePointCount(start, end)) + 1;
    }

    /** The text of a 1-based line, without its line terminator. */
    public String lineText(int line) {
        return text.substring(lineStart(line), lineEnd(line));
    }

    /** Char offset where a 1-based line starts. */
    public int lineStart(int line) { return lineStarts[line - 1]; }

    /** Char offset where a 1-based line ends, before its line terminator. */
    public int lineEnd(int line) {
        int start = lineStarts[line - 1];
        int end = line < lineStarts.length ? lineStarts[line] : text.length();
        while (end > start && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) end--;
        return end;
    }

    public int lineCount() { return lineStarts.length; }

    private static int[] lineStarts(String text) {
        int[] starts = new int[16];
        int n = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean newline = c == '\n' || (c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n'));
            if (newline) {
                if (n == starts.length) starts = Arrays.copyOf(starts, n * 2);
                starts[n++] = i + 1;
            }
        }
        return Arrays.copyOf(starts, n);
    }

    @Override public String toString() { return name; }
}
