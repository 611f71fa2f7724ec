package dln.lsp;

import java.util.List;

/** A {@link Log} that keeps every line, `error: what: exception` or `warning: message`, for tests to read. */
final class TestLog {
    private TestLog() {}

    static Log into(List<String> lines) {
        return new Log() {
            @Override public void error(String what, Throwable t) {
                lines.add("error: " + what + ": " + t);
            }

            @Override public void warning(String message) {
                lines.add("warning: " + message);
            }
        };
    }
}
