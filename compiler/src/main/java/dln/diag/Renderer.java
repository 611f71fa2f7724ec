package dln.diag;

/**
 * Turns a diagnostic into text: the GNU-parsable first line, then the source line with a caret
 * underline under the span, then `= help:` and `= note:` lines (the layout of rustc and Elm). A
 * source line longer than {@link #MAX_WIDTH} characters is cut to a window around the span, marked
 * with `...`, so that output stays proportional to the diagnostics, not to the file.
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

        StringBuilder out = new StringBuilder();
        out.append(paint(BOLD, span.where() + ": "))
           .append(paint(d.isError() ? RED : YELLOW, d.severity().label() + "[" + d.code() + "]"))
           .append(paint(BOLD, ": " + d.message()))
           .append('\n');
        if (!source.text().isEmpty()) quote(out, span, line, gutter, d);
        for (String help : d.helps()) {
            out.append(paint(BLUE, gutter + " = ")).append(paint(CYAN, "help:")).append(' ').append(help).append('\n');
        }
        for (String note : d.notes()) {
            out.append(paint(BLUE, gutter + " = ")).append(paint(BOLD, "note:")).append(' ').append(note).append('\n');
        }
        return out.toString();
    }

    /** The source line (or a window of it, when long) with a caret underline under the span. */
    private void quote(StringBuilder out, Span span, int line, String gutter, Diagnostic d) {
        Window w = Window.around(span, line);
        String shown = (w.cutBefore() ? CUT : "") + printable(w.text()) + (w.cutAfter() ? CUT : "");
        out.append(paint(BLUE, gutter + " |")).append('\n');
        out.append(paint(BLUE, line + " |")).append(' ').append(shown).append('\n');
        out.append(paint(BLUE, gutter + " |")).append(' ')
           .append(" ".repeat((w.cutBefore() ? CUT.length() : 0) + w.caretIndent()))
           .append(paint(d.isError() ? RED : YELLOW, "^".repeat(w.caretWidth())))
           .append('\n');
    }

    /** Longer lines are cut to a window of about this many characters around the span. */
    static final int MAX_WIDTH = 160;
    private static final int CONTEXT_BEFORE = 40;
    private static final String CUT = "...";

    /**
     * The part of a line to quote, as char offsets into the source [start, end), and where the caret
     * goes in it, counted in code points. Computed from offsets alone, so that quoting a long line
     * costs the window, not the line.
     */
    private record Window(Source source, int start, int end, boolean cutBefore, boolean cutAfter, int from, int to) {
        static Window around(Span span, int line) {
            Source source = span.source();
            String text = source.text();
            int lineStart = source.lineStart(line);
            int lineEnd = source.lineEnd(line);
            int from = Math.max(lineStart, Math.min(span.start(), lineEnd));
            int to = Math.max(from, Math.min(span.end(), lineEnd));
            int start = lineStart;
            int end = lineEnd;
            if (lineEnd - lineStart > MAX_WIDTH) {
                start = Math.max(lineStart, from - CONTEXT_BEFORE);
                end = Math.min(lineEnd, start + MAX_WIDTH);
                if (end == lineEnd) start = Math.max(lineStart, end - MAX_WIDTH);
                if (start > lineStart && Character.isLowSurrogate(text.charAt(start)) && Character.isHighSurrogate(text.charAt(start - 1))) start--;
                if (end < lineEnd && Character.isHighSurrogate(text.charAt(end - 1)) && Character.isLowSurrogate(text.charAt(end))) end++;
            }
            return new Window(source, start, end, start > lineStart, end < lineEnd, from, to);
        }

        String text() { return source.text().substring(start, end); }

        int caretIndent() { return source.text().codePointCount(start, from); }

        /** The span's width in code points within the window; at least one caret, even at the end of a line. */
        int caretWidth() {
            int last = Math.min(to, end);
            return last <= from ? 1 : Math.max(1, source.text().codePointCount(from, last));
        }
    }

    /** The closing line of a run: `2 errors, 1 warning`. */
    /**
     * The kept diagnostics, each followed by a blank line, then how many more were reported but not
     * kept (at most {@link Diagnostics#MAX_KEPT} errors and as many warnings are).
     */
    public String render(Diagnostics diagnostics) {
        StringBuilder out = new StringBuilder();
        for (Diagnostic d : diagnostics.all()) out.append(render(d)).append('\n');
        int more = diagnostics.notKept();
        if (more > 0) {
            out.append(paint(BOLD, "... and " + more + " more not shown (only the first " + Diagnostics.MAX_KEPT
                    + " errors and " + Diagnostics.MAX_KEPT + " warnings are)")).append("\n\n");
        }
        return out.toString();
    }

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

    private String paint(String style, String text) {
        return color ? style + text + RESET : text;
    }
}
