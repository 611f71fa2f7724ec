package dln.diag;

import java.util.List;

/**
 * One reported problem: a code, the span it points at, the formatted message, `help:` lines that
 * say how to fix it, and `note:` lines that give context (the chain of block calls that led here).
 */
public record Diagnostic(Code code, Span span, String message, List<String> helps, List<String> notes) {

    public Severity severity() { return code.severity(); }

    public boolean isError() { return severity() == Severity.ERROR; }

    /** The GNU-style first line: `file:line:col: error[DLN001]: message`. */
    public String headline() {
        return span.where() + ": " + severity().label() + "[" + code + "]: " + message;
    }

    @Override public String toString() { return headline(); }
}
