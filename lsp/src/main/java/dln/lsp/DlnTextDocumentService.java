package dln.lsp;

import dln.diag.Source;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionList;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DidSaveTextDocumentParams;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.services.TextDocumentService;

/**
 * The text document half of the protocol: keeps the open documents (full sync), has them checked
 * on open, change and save, and answers completion and hover. No request lets an exception
 * escape: a failure is logged to the client and answered with nothing.
 */
final class DlnTextDocumentService implements TextDocumentService {
    /** Hover waits this long for a pending check before answering from the previous one. */
    private static final long HOVER_WAIT_MS = 3000;

    private final Documents documents;
    private final Checker checker;
    private final Log log;
    /** Answers completion and hover off the protocol thread, on one long-lived thread. */
    private final ExecutorService requests = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dln-lsp-requests");
        t.setDaemon(true);
        return t;
    });

    DlnTextDocumentService(Documents documents, Checker checker, Log log) {
        this.documents = documents;
        this.checker = checker;
        this.log = log;
    }

    @Override public void didOpen(DidOpenTextDocumentParams params) {
        guard("opening a document", () -> {
            var item = params.getTextDocument();
            documents.open(new Document(item.getUri(), item.getVersion(), item.getText()));
            checker.schedule(item.getUri(), 0);
        });
    }

    @Override public void didChange(DidChangeTextDocumentParams params) {
        guard("changing a document", () -> {
            String uri = params.getTextDocument().getUri();
            Document doc = documents.get(uri);
            if (doc == null) return;
            String text = doc.text();
            for (TextDocumentContentChangeEvent change : params.getContentChanges()) text = apply(text, change);
            Integer version = params.getTextDocument().getVersion();
            documents.change(uri, version != null ? version : doc.version() + 1, text);
            checker.schedule(uri, Checker.DEBOUNCE_MS);
        });
    }

    /** A whole new text, or (from clients that send ranges despite full sync) an edit of one range. */
    private static String apply(String text, TextDocumentContentChangeEvent change) {
        if (change.getRange() == null) return change.getText();
        Source source = Source.of("", text);
        int start = Positions.offset(source, change.getRange().getStart());
        int end = Math.max(start, Positions.offset(source, change.getRange().getEnd()));
        return text.substring(0, start) + change.getText() + text.substring(end);
    }

    @Override public void didSave(DidSaveTextDocumentParams params) {
        // A saved file may be imported by the others: check them all again.
        guard("saving a document", () -> documents.uris().forEach(uri -> checker.schedule(uri, 0)));
    }

    @Override public void didClose(DidCloseTextDocumentParams params) {
        guard("closing a document", () -> {
            String uri = params.getTextDocument().getUri();
            documents.close(uri);
            checker.forget(uri);
        });
    }

    @Override public CompletableFuture<Either<List<CompletionItem>, CompletionList>> completion(CompletionParams params) {
        return CompletableFuture.supplyAsync(() -> answer("completing", () -> {
            Document doc = documents.get(params.getTextDocument().getUri());
            if (doc == null) return Either.<List<CompletionItem>, CompletionList>forLeft(List.of());
            int offset = Positions.offset(doc.source(), params.getPosition());
            return Either.<List<CompletionItem>, CompletionList>forLeft(Completions.at(doc.text(), offset));
        }, Either.forLeft(List.of())), requests);
    }

    @Override public CompletableFuture<Hover> hover(HoverParams params) {
        String uri = params.getTextDocument().getUri();
        return checker.analysis(uri).copy()
                .completeOnTimeout(checker.latest(uri), HOVER_WAIT_MS, TimeUnit.MILLISECONDS)
                .thenApplyAsync(analysis -> answer("hovering", () -> {
                    Document doc = documents.get(uri);
                    return doc == null ? null : Hovers.at(doc, analysis, params.getPosition());
                }, null), requests);
    }

    void close() {
        requests.shutdownNow();
    }

    private void guard(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException | StackOverflowError e) {
            log.error(what, e);
        }
    }

    private <T> T answer(String what, Supplier<T> action, T otherwise) {
        try {
            return action.get();
        } catch (RuntimeException | StackOverflowError e) {
            log.error(what, e);
            return otherwise;
        }
    }
}
