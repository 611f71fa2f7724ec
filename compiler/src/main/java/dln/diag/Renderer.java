package dln.diag;

/**
 * Turns a diagnostic into text: the GNU-parsable first line, then the source line with a caret
 * underline under the span, then `= help:` and `= note:` lines (the layout of rustc and Elm).
 */
public final class Renderer {
    private static final String RESET = "\u001b[0m";
    private static final String BOLD = "\u001b[1m";
    private static final String RED = "\u001b[1;31m";
    private static final String YELLOW = "\u001b[1;33m";
    private static final String BLUE = "\u001b[1;34m";
    private static final String CYAN = "\u001b[1;36m";

    private final boolean color;

    public Renderer(boolean color) {
        this.color = color;
    }

    public String render(Diagnostic d) {
        Span span = d.span();
        Source source = span.source();
        int line = span.line();
        String gutter = " ".repeat(String.valueOf(line).length());
        String text = source.lineText(line);

        StringBuilder out = new StringBuilder();
        out.append(paint(BOLD, span.where() + ": "))
           .append(paint(d.isError() ? RED : YELLOW, d.severity().label() + "[" + d.code() + "]"))
           .append(paint(BOLD, ": " + d.message()))
           .append('\n');
        if (!source.text().isEmpty()) quote(out, span, line, gutter, text, d);
        for (String help : d.helps()) {
            out.append(paint(BLUE, gutter + " = ")).append(paint(CYAN, "help:")).append(' ').append(help).append('\n');
        }
        for (String note : d.notes()) {
            out.append(paint(BLUE, gutter + " = ")).append(paint(BOLD, "note:")).append(' ').append(note).append('\n');
        }
        return out.toString();
    }

    /** The source line with a caret underline under the span. */
    private void quote(StringBuilder out, Span span, int line, String gutter, String text, Diagnostic d) {
        out.append(paint(BLUE, gutter + " |")).append('\n');
        out.append(paint(BLUE, line + " |")).append(' ').append(printable(text)).append('\n');
        out.append(paint(BLUE, gutter + " |")).append(' ')
           .append(" ".repeat(caretIndent(text, span.column())))
           .append(paint(d.isError() ? RED : YELLOW, "^".repeat(caretWidth(span, text))))
           .append('\n');
    }

    /** The closing line of a run: `2 errors, 1 warning`. */
    public String summary(int errors, int warnings) {
        String e = errors + (errors == 1 ? " error" : " errors");
        String w = warnings + (warnings == 1 ? " warning" : " warnings");
        if (errors > 0 && warnings > 0) return paint(RED, e) + ", " + paint(YELLOW, w);
        if (errors > 0) return paint(RED, e);
        return paint(YELLOW, w);
    }

    /** Control characters (a NUL byte, say) would garble the terminal: show them as spaces. */
    private static String printable(String line) {
        StringBuilder out = new StringBuilder(line.length());
        line.codePoints().forEach(cp -> out.appendCodePoint(cp == '\t' ? ' ' : Character.isISOControl(cp) ? ' ' : cp));
        return out.toString();
    }

    private static int caretIndent(String line, int column) {
        return Math.min(column - 1, line.codePointCount(0, line.length()));
    }

    /** The span's width in code points on its first line; at least one caret, even at the end of a line. */
    private static int caretWidth(Span span, String lineText) {
        int lineStart = span.source().lineStart(span.line());
        int from = span.start() - lineStart;
        int to = Math.min(span.end() - lineStart, lineText.length());
        if (from >= lineText.length() || to <= from) return 1;
        return Math.max(1, lineText.codePointCount(from, to));
    }

    private String paint(String style, String text) {
        return color ? style + text + RESET : text;
    }
}
