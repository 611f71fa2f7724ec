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
 *
 * <p>At most {@link #MAX_KEPT} errors and as many warnings are kept, as javac and rustc print at most
 * 100: the rest are only counted ({@link #errorCount} counts them all), so that a megabyte of garbage
 * costs neither minutes of formatting nor a gigabyte of output. Help lines that are expensive to
 * compute (name suggestions) are given as suppliers and computed only for kept diagnostics.
 */
public final class Diagnostics {
    /** How many errors, and how many warnings, are kept and printed. */
    public static final int MAX_KEPT = 100;

    private final List<Report> reports = new ArrayList<>();
    private int errors;
    private int warnings;
    private int keptErrors;
    private int keptWarnings;
    private final Deque<String> callChain = new ArrayDeque<>();
    private final Set<String> seen = new HashSet<>();
    private final Map<Source, Integer> sourceOrder = new HashMap<>();

    /** A diagnostic under construction; add help lines with {@link #help}. */
    public static final class Report {
        private final Diag diag;
        private final Span span;
        private final String message;
        private final List<String> helps = new ArrayList<>();
        private final List<String> notes;
        private final boolean kept;

        private Report(Diag diag, Span span, String message, List<String> notes, boolean kept) {
            this.diag = diag;
            this.span = span;
            this.message = message;
            this.notes = notes;
            this.kept = kept;
        }

        public Report help(String help) {
            if (kept && help != null && !help.isEmpty()) helps.add(help);
            return this;
        }

        /** A help line computed only if this diagnostic is kept (a name search, say). */
        public Report help(java.util.function.Supplier<String> help) {
            return kept ? help(help.get()) : this;
        }

        public Report note(String note) {
            if (kept) notes.add(note);
            return this;
        }

        Diagnostic build() {
            return new Diagnostic(diag, span, message, List.copyOf(helps), List.copyOf(notes));
        }
    }

    /**
     * Reports a problem; a second report of the same diagnostic, place and message is dropped. Past
     * {@link #MAX_KEPT} of its severity, it is only counted: neither formatted nor compared.
     */
    public Report report(Diag diag, Span span, Object... args) {
        boolean error = diag.severity() == Severity.ERROR;
        if (!keeping(diag.severity())) {
            if (error) errors++; else warnings++;
            return new Report(diag, span, null, List.of(), false);
        }
        String message = diag.format(args);
        String key = diag + "@" + span.source().name() + ":" + span.start() + ":" + message;
        if (!seen.add(key)) return new Report(diag, span, message, List.of(), false);
        if (error) {
            errors++;
            keptErrors++;
        } else {
            warnings++;
            keptWarnings++;
        }
        Report report = new Report(diag, span, message, new ArrayList<>(callChain), true);
        sourceOrder.putIfAbsent(span.source(), sourceOrder.size());
        reports.add(report);
        return report;
    }

    /** Whether a report of this severity would still be kept; past that, callers may skip costly arguments. */
    public boolean keeping(Severity severity) {
        return (severity == Severity.ERROR ? keptErrors : keptWarnings) < MAX_KEPT;
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
        return errors > 0;
    }

    /** Every error reported, kept or not. */
    public int errorCount() {
        return errors;
    }

    /** Every warning reported, kept or not. */
    public int warningCount() {
        return warnings;
    }

    /** Errors and warnings reported past {@link #MAX_KEPT}: counted, not in {@link #all}. */
    public int notKept() {
        return errors - keptErrors + warnings - keptWarnings;
    }

    /** The kept diagnostics, by file (in the order files were read), then by position. */
    public List<Diagnostic> all() {
        return reports.stream()
                .map(Report::build)
                .sorted(Comparator.<Diagnostic>comparingInt(d -> sourceOrder.getOrDefault(d.span().source(), 0))
                        .thenComparingInt(d -> d.span().start())
                        .thenComparingInt(d -> d.span().end()))
                .toList();
    }
}
