package dln.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.VersionedTextDocumentIdentifier;
import org.eclipse.lsp4j.WorkspaceFolder;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;

/**
 * A headless editor: starts a {@link DlnLanguageServer} on piped streams, talks to it through an
 * lsp4j client launcher over real JSON-RPC, and records what the server sends.
 */
final class TestClient implements LanguageClient, AutoCloseable {
    static final long WAIT_S = 10;

    final BlockingQueue<PublishDiagnosticsParams> diagnostics = new LinkedBlockingQueue<>();
    final List<String> logs = new ArrayList<>();
    final LanguageServer server;
    final InitializeResult initialized;
    private final PipedOutputStream toServer = new PipedOutputStream();
    private final PipedOutputStream toClient = new PipedOutputStream();
    private int version = 1;

    TestClient() throws Exception {
        this(new DlnLanguageServer(code -> {}));
    }

    TestClient(DlnLanguageServer dln) throws Exception {
        this(dln, List.of());
    }

    /** A client whose editor has these workspace folders open. */
    TestClient(DlnLanguageServer dln, List<String> workspaceFolders) throws Exception {
        PipedInputStream serverIn = new PipedInputStream(toServer, 1 << 16);
        PipedInputStream clientIn = new PipedInputStream(toClient, 1 << 16);
        DlnLanguageServer.launch(dln, serverIn, toClient).startListening();
        Launcher<LanguageServer> launcher = LSPLauncher.createClientLauncher(this, clientIn, toServer);
        launcher.startListening();
        server = launcher.getRemoteProxy();
        InitializeParams params = initializeParams();
        if (!workspaceFolders.isEmpty()) params.setWorkspaceFolders(workspaceFolders.stream().map(u -> new WorkspaceFolder(u, u)).toList());
        initialized = server.initialize(params).get(WAIT_S, TimeUnit.SECONDS);
        server.initialized(new InitializedParams());
    }

    /** What an editor sends first; LSP requires the capabilities, even when there are none. */
    private static InitializeParams initializeParams() {
        InitializeParams params = new InitializeParams();
        params.setCapabilities(new ClientCapabilities());
        return params;
    }

    void open(String uri, String text) {
        server.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "dln", version, text)));
    }

    void change(String uri, String text) {
        version++;
        server.getTextDocumentService().didChange(new DidChangeTextDocumentParams(
                new VersionedTextDocumentIdentifier(uri, version), List.of(new TextDocumentContentChangeEvent(text))));
    }

    void close(String uri) {
        server.getTextDocumentService().didClose(new DidCloseTextDocumentParams(new TextDocumentIdentifier(uri)));
    }

    /** The next diagnostics published for {@code uri} that satisfy {@code wanted}, skipping others. */
    PublishDiagnosticsParams awaitDiagnostics(String uri, Predicate<PublishDiagnosticsParams> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (System.nanoTime() < deadline) {
            PublishDiagnosticsParams p = diagnostics.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (p != null && p.getUri().equals(uri) && wanted.test(p)) return p;
        }
        throw new AssertionError("no matching diagnostics for " + uri + " within " + WAIT_S + " s; log: " + logs);
    }

    List<CompletionItem> complete(String uri, int line, int character) throws Exception {
        var result = server.getTextDocumentService()
                .completion(new CompletionParams(new TextDocumentIdentifier(uri), new Position(line, character)))
                .get(WAIT_S, TimeUnit.SECONDS);
        assertThat(result.isLeft()).isTrue();
        return result.getLeft();
    }

    /** Completion at the end of the first occurrence of {@code marker} in {@code text}. */
    List<CompletionItem> completeAfter(String uri, String text, String marker) throws Exception {
        Position p = positionOf(text, text.indexOf(marker) + marker.length());
        return complete(uri, p.getLine(), p.getCharacter());
    }

    Hover hover(String uri, Position at) throws Exception {
        return server.getTextDocumentService().hover(new HoverParams(new TextDocumentIdentifier(uri), at)).get(WAIT_S, TimeUnit.SECONDS);
    }

    static List<String> labels(List<CompletionItem> items) {
        return items.stream().map(CompletionItem::getLabel).toList();
    }

    /** The LSP position of a char offset (lines split at \n). */
    static Position positionOf(String text, int offset) {
        int line = 0;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new Position(line, offset - lineStart);
    }

    @Override public void telemetryEvent(Object object) {}

    @Override public void publishDiagnostics(PublishDiagnosticsParams params) {
        diagnostics.add(params);
    }

    @Override public void showMessage(MessageParams params) {
        synchronized (logs) {
            logs.add(params.getMessage());
        }
    }

    @Override public CompletableFuture<MessageActionItem> showMessageRequest(ShowMessageRequestParams params) {
        return CompletableFuture.completedFuture(null);
    }

    @Override public void logMessage(MessageParams params) {
        synchronized (logs) {
            logs.add(params.getMessage());
        }
    }

    @Override public void close() throws IOException {
        try {
            server.shutdown().get(WAIT_S, TimeUnit.SECONDS);
            server.exit();
        } catch (Exception e) {
            // the test has its answer; a server that does not shut down cleanly fails nothing here
        }
        // The server's end first: the client's reader then sees the end of its stream, not a dead writer.
        toClient.close();
        toServer.close();
    }
}
