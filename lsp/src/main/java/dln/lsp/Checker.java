package dln.lsp;

import dln.Compiler;
import dln.diag.Source;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.DiagnosticSeverity;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;

/**
 * Checks open documents with the compiler on one worker thread, off the protocol thread, and
 * publishes the diagnostics. A burst of edits is checked once: each edit reschedules the check a
 * little later. A check whose document changed meanwhile publishes nothing; the next one will.
 * Diagnostics in an imported file go to that file's URI unless it is open, since an open file is
 * checked (and published) on its own. Each check stands alone: one that fails inside the server
 * is logged with its stack trace, its document shows one plain diagnostic saying so, and the other
 * documents are checked as usual.
 */
final class Checker implements AutoCloseable {
    /** How long the text must rest before a check: short enough to feel immediate. */
    static final long DEBOUNCE_MS = 120;

    private final Documents documents;
    private final Consumer<PublishDiagnosticsParams> client;
    private final Log log;
    private final Function<Source, Compiler.Result> compiler;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dln-lsp-check");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, ScheduledFuture<?>> scheduled = new HashMap<>();
    private final Map<String, CompletableFuture<Analysis>> ready = new HashMap<>();
    private final Map<String, Analysis> analyses = new HashMap<>();
    private final Map<String, Set<String>> importsPublished = new HashMap<>();
    private volatile boolean closed;

    Checker(Documents documents, Consumer<PublishDiagnosticsParams> client, Log log) {
        this(documents, client, log, Compiler::check);
    }

    /** A checker that checks with {@code compiler} (tests give it one that fails). */
    Checker(Documents documents, Consumer<PublishDiagnosticsParams> client, Log log, Function<Source, Compiler.Result> compiler) {
        this.documents = documents;
        this.client = client;
        this.log = log;
        this.compiler = compiler;
    }

    /** Checks the document {@code uri} after {@code delayMs}, replacing any check not yet started. */
    synchronized void schedule(String uri, long delayMs) {
        ScheduledFuture<?> old = scheduled.remove(uri);
        if (old != null) old.cancel(false);
        CompletableFuture<Analysis> waiting = ready.get(uri);
        if (waiting == null || waiting.isDone()) ready.put(uri, new CompletableFuture<>());
        scheduled.put(uri, worker.schedule(() -> check(uri), delayMs, TimeUnit.MILLISECONDS));
    }

    /** The analysis of the document's latest text: completes when its pending check is done. */
    synchronized CompletableFuture<Analysis> analysis(String uri) {
        CompletableFuture<Analysis> waiting = ready.get(uri);
        if (waiting != null) return waiting;
        return CompletableFuture.completedFuture(analyses.getOrDefault(uri, Analysis.EMPTY));
    }

    /** The last analysis, even if a check is pending. */
    synchronized Analysis latest(String uri) {
        return analyses.getOrDefault(uri, Analysis.EMPTY);
    }

    /** Forgets a closed document and clears the diagnostics it published. */
    void forget(String uri) {
        Set<String> cleared = new HashSet<>();
        synchronized (this) {
            ScheduledFuture<?> old = scheduled.remove(uri);
            if (old != null) old.cancel(false);
            CompletableFuture<Analysis> waiting = ready.remove(uri);
            if (waiting != null) waiting.complete(analyses.getOrDefault(uri, Analysis.EMPTY));
            analyses.remove(uri);
            cleared.add(uri);
            cleared.addAll(importsPublished.getOrDefault(uri, Set.of()));
            importsPublished.remove(uri);
        }
        if (closed) return;
        worker.execute(() -> cleared.forEach(u -> {
            if (u.equals(uri) || !documents.isOpen(u)) publish(u, null, List.of());
        }));
    }

    private void check(String uri) {
        Document doc = documents.get(uri);
        if (doc == null) return;
        Analysis analysis = latest(uri);
        try {
            Source source = doc.source();
            Compiler.Result result = compiler.apply(source);
            Source main = result.program() != null ? result.program().main().source() : source;
            analysis = analysis.with(result.networks(), main);
            if (current(doc)) publishAll(doc, Diagnoses.byDocument(result, doc));
        } catch (Throwable t) {
            // close() interrupts a check under way: the server is going away, nothing went wrong
            if (closed || Thread.currentThread().isInterrupted()) return;
            log.error("checking " + uri, t);
            if (current(doc)) publish(uri, doc.version(), List.of(internalError()));
        }
        synchronized (this) {
            if (!documents.isOpen(uri)) return;
            analyses.put(uri, analysis);
            if (current(doc)) {
                CompletableFuture<Analysis> waiting = ready.get(uri);
                if (waiting != null) waiting.complete(analysis);
            }
        }
    }

    /** What a document shows when its check failed inside the server (the stack trace is in the log). */
    static Diagnostic internalError() {
        return new Diagnostic(new Range(new Position(0, 0), new Position(0, 0)),
                "internal error in the DLN language server while checking this file; its log has the details",
                DiagnosticSeverity.Error, Diagnoses.SOURCE);
    }

    private boolean current(Document doc) {
        Document now = documents.get(doc.uri());
        return now != null && now.version() == doc.version() && now.text().equals(doc.text());
    }

    private void publishAll(Document doc, Map<String, List<Diagnostic>> byUri) {
        Set<String> imports = new HashSet<>();
        byUri.forEach((uri, diags) -> {
            if (uri.equals(doc.uri())) {
                publish(uri, doc.version(), diags);
            } else if (!documents.isOpen(uri)) {
                publish(uri, null, diags);
                imports.add(uri);
            }
        });
        Set<String> before;
        synchronized (this) {
            before = importsPublished.put(doc.uri(), imports);
        }
        if (before != null) {
            for (String uri : before) if (!imports.contains(uri) && !documents.isOpen(uri)) publish(uri, null, List.of());
        }
    }

    private void publish(String uri, Integer version, List<Diagnostic> diags) {
        if (closed) return;
        try {
            client.accept(new PublishDiagnosticsParams(uri, diags, version));
        } catch (RuntimeException e) {
            log.error("publishing diagnostics for " + uri, e);
        }
    }

    @Override public void close() {
        closed = true;
        worker.shutdownNow();
    }
}
