package dln.diag;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects the diagnostics of one run. Passes report here and never print. While a block is being
 * expanded, {@link #enterBlock} records the call, so that every problem found inside the block
 * carries the chain of calls that led there.
 */
public final class Diagnostics {
    private final List<Report> reports = new ArrayList<>();
    private final Deque<String> callChain = new ArrayDeque<>();
    private final Set<String> seen = new HashSet<>();
    private final Map<Source, Integer> sourceOrder = new HashMap<>();

    /** A diagnostic under construction; add help lines with {@link #help}. */
    public static final class Report {
        private final Code code;
        private final Span span;
        private final String message;
        private final List<String> helps = new ArrayList<>();
        private final List<String> notes;

        private Report(Code code, Span span, String message, List<String> notes) {
            this.code = code;
            this.span = span;
            this.message = message;
            this.notes = notes;
        }

        public Report help(String help) {
            if (help != null && !help.isEmpty()) helps.add(help);
            return this;
        }

        public Report note(String note) {
            notes.add(note);
            return this;
        }

        Diagnostic build() {
            return new Diagnostic(code, span, message, List.copyOf(helps), List.copyOf(notes));
        }
    }

    /** Reports a problem; a second report of the same code, place and message is dropped. */
    public Report report(Code code, Span span, Object... args) {
        String message = code.format(args);
        List<String> notes = new ArrayList<>(callChain);
        Report report = new Report(code, span, message, notes);
        String key = code + "@" + span.source().name() + ":" + span.start() + ":" + message;
        if (seen.add(key)) {
            sourceOrder.putIfAbsent(span.source(), sourceOrder.size());
            reports.add(report);
        }
        return report;
    }

    /** Marks the order in which files were read, so that diagnostics sort by file, then position. */
    public void registerSource(Source source) {
        sourceOrder.putIfAbsent(source, sourceOrder.size());
    }

    /** Notes that the checker is now inside block {@code name}, called at {@code site}. */
    public void enterBlock(String name, Span site) {
        callChain.addFirst("in block " + name + ", called at " + site.where());
    }

    public void exitBlock() {
        callChain.removeFirst();
    }

    public boolean hasErrors() {
        return reports.stream().anyMatch(r -> r.code.severity() == Severity.ERROR);
    }

    public int errorCount() {
        return (int) reports.stream().filter(r -> r.code.severity() == Severity.ERROR).count();
    }

    public int warningCount() {
        return (int) reports.stream().filter(r -> r.code.severity() == Severity.WARNING).count();
    }

    /** Everything reported so far, by file (in the order files were read), then by position. */
    public List<Diagnostic> all() {
        return reports.stream()
                .map(Report::build)
                .sorted(Comparator.<Diagnostic>comparingInt(d -> sourceOrder.getOrDefault(d.span().source(), 0))
                        .thenComparingInt(d -> d.span().start())
                        .thenComparingInt(d -> d.span().end()))
                .toList();
    }
}
