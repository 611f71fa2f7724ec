package dln.lsp;

import dln.diag.Source;
import dln.diag.Span;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;

/**
 * Converts between character offsets and LSP positions. LSP counts lines from 0 and columns in
 * UTF-16 code units; Java strings are UTF-16 too, so a column is the count of chars since the
 * start of the line (where the compiler's diagnostics count code points, as {@link Source#column} does).
 */
final class Positions {
    private Positions() {}

    static Position position(Source source, int offset) {
        int at = Math.max(0, Math.min(offset, source.text().length()));
        int line = source.line(at);
        return new Position(line - 1, at - source.lineStart(line));
    }

    static Range range(Span span) {
        return new Range(position(span.source(), span.start()), position(span.source(), Math.max(span.start(), span.end())));
    }

    /** The offset of an LSP position; positions past a line's end or the last line are clamped. */
    static int offset(Source source, Position p) {
        int line = Math.max(1, Math.min(p.getLine() + 1, source.lineCount()));
        int start = source.lineStart(line);
        return Math.min(start + Math.max(0, p.getCharacter()), source.lineEnd(line));
    }

    /** The offset of a 1-based line and a 1-based column counted in code points, as diagnostics print them. */
    static int offset(Source source, int line, int column) {
        int l = Math.max(1, Math.min(line, source.lineCount()));
        int start = source.lineStart(l);
        int end = source.lineEnd(l);
        int steps = Math.min(Math.max(0, column - 1), source.text().codePointCount(start, end));
        return source.text().offsetByCodePoints(start, steps);
    }
}
