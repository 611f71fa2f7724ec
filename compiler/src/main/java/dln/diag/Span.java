package dln.diag;

/** A range of characters [start, end) in one source file. */
public record Span(Source source, int start, int end) {

    public int line() { return source.line(start); }

    public int column() { return source.column(start); }

    public String text() {
        String t = source.text();
        return t.substring(Math.min(start, t.length()), Math.min(end, t.length()));
    }

    /** The smallest span covering both. */
    public Span to(Span other) {
        return new Span(source, Math.min(start, other.start), Math.max(end, other.end));
    }

    /** `file:line:col`, as in the first line of a diagnostic. */
    public String where() {
        return source.name() + ":" + line() + ":" + column();
    }

    @Override public String toString() { return where(); }
}
