package dln.diag;

import java.util.List;

/**
 * One reported problem: what went wrong (a {@link Diag}, whose code users see), the span it points
 * at, the formatted message, `help:` lines that say how to fix it, and `note:` lines that give
 * context (the chain of block calls that led here).
 */
public record Diagnostic(Diag diag, Span span, String message, List<String> helps, List<String> notes) {

    /** The code users see, e.g. {@code DLN041}. */
    public String code() { return diag.code(); }

    public Severity severity() { return diag.severity(); }

    public boolean isError() { return severity() == Severity.ERROR; }

    /** The GNU-style first line: `file:line:col: error[DLN001]: message`. */
    public String headline() {
        return span.where() + ": " + severity().label() + "[" + code() + "]: " + message;
    }

    @Override public String toString() { return headline(); }
}
