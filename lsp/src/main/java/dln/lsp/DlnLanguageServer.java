package dln.lsp;

import dln.Compiler;
import dln.check.SourceRoots;
import dln.diag.Source;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.IntConsumer;
import org.eclipse.lsp4j.CompletionOptions;
import org.eclipse.lsp4j.DidChangeConfigurationParams;
import org.eclipse.lsp4j.DidChangeWatchedFilesParams;
import org.eclipse.lsp4j.DidChangeWorkspaceFoldersParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.MessageType;
import org.eclipse.lsp4j.SaveOptions;
import org.eclipse.lsp4j.ServerCapabilities;
import org.eclipse.lsp4j.ServerInfo;
import org.eclipse.lsp4j.TextDocumentSyncKind;
import org.eclipse.lsp4j.TextDocumentSyncOptions;
import org.eclipse.lsp4j.WorkspaceFolder;
import org.eclipse.lsp4j.WorkspaceFoldersChangeEvent;
import org.eclipse.lsp4j.WorkspaceFoldersOptions;
import org.eclipse.lsp4j.WorkspaceServerCapabilities;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageClientAware;
import org.eclipse.lsp4j.services.LanguageServer;
import org.eclipse.lsp4j.services.TextDocumentService;
import org.eclipse.lsp4j.services.WorkspaceService;

/**
 * The DLN language server: the compiler's diagnostics as the user types, completion of layers,
 * arguments and train settings, and hover with each layer's inferred shapes. It speaks LSP over
 * stdio: `java -jar dln-lsp.jar`. Checks run on a worker thread ({@link Checker}); completion and
 * hover read the text and the last check ({@link Completions}, {@link Hovers}).
 */
public final class DlnLanguageServer implements LanguageServer, LanguageClientAware {
    private final Documents documents = new Documents();
    private final Checker checker;
    private final DlnTextDocumentService text;
    private final IntConsumer exit;
    private volatile LanguageClient client;
    private volatile boolean shutdown;
    /** The editor's workspace folders, from which documents may import. */
    private volatile List<Path> workspaceFolders = List.of();

    /** The server's troubles go to the client's log (or stderr before a client connects), never to the protocol stream. */
    private final Log log = new Log() {
        @Override public void error(String what, Throwable t) {
            StringWriter trace = new StringWriter();
            t.printStackTrace(new PrintWriter(trace));
            send(MessageType.Error, "dln-lsp: internal error while " + what + ": " + trace);
        }

        @Override public void warning(String message) {
            send(MessageType.Warning, "dln-lsp: " + message);
        }

        private void send(MessageType type, String message) {
            LanguageClient c = client;
            try {
                if (c != null) {
                    c.logMessage(new MessageParams(type, message));
                    return;
                }
            } catch (RuntimeException e) {
                // the client is gone; fall back to stderr
            }
            System.err.println(message);
        }
    };

    /** A server that ends the process on `exit`, as the protocol asks. */
    public DlnLanguageServer() {
        this(System::exit);
    }

    /** A server that calls {@code exit} with the exit code on `exit` (tests run several in one JVM). */
    public DlnLanguageServer(IntConsumer exit) {
        this(exit, Compiler::check);
    }

    /** A server that checks documents with {@code compiler} (tests give it one that fails). */
    DlnLanguageServer(IntConsumer exit, BiFunction<Source, SourceRoots, Compiler.Result> compiler) {
        this.exit = exit;
        this.checker = new Checker(documents, params -> {
            LanguageClient c = client;
            if (c != null) c.publishDiagnostics(params);
        }, log, source -> compiler.apply(source, roots(source)));
        this.text = new DlnTextDocumentService(documents, checker, log);
    }

    public static void main(String[] args) throws Exception {
        InputStream in = System.in;
        PrintStream out = System.out;
        System.setOut(System.err); // a stray print must not corrupt the protocol on stdout
        DlnLanguageServer server = new DlnLanguageServer();
        launch(server, in, out).startListening().get();
        System.exit(server.shutdown ? 0 : 1);
    }

    /** Connects {@code server} to a client on these streams; call startListening() on the result. */
    public static Launcher<LanguageClient> launch(DlnLanguageServer server, InputStream in, OutputStream out) {
        return launch(server, in, out, Transport.MAX_MESSAGE_BYTES);
    }

    /** As {@link #launch(DlnLanguageServer, InputStream, OutputStream)}, reading messages of at most {@code maxBytes}. */
    static Launcher<LanguageClient> launch(DlnLanguageServer server, InputStream in, OutputStream out, int maxBytes) {
        Launcher<LanguageClient> launcher = Transport.launch(server, in, out, maxBytes, server.log);
        server.connect(launcher.getRemoteProxy());
        return launcher;
    }

    @Override public void connect(LanguageClient client) {
        this.client = client;
    }

    /**
     * The folders a document may import from: the workspace folders, and the document's own folder
     * when it lies in none of them (a single file opened on its own); none for an untitled
     * document. docs/SECURITY.md says why.
     */
    SourceRoots roots(Source source) {
        if (source.path() == null) return SourceRoots.NONE;   // an untitled document has no folder to import from
        String howToAdd = "open the folder that holds it as a workspace folder";
        SourceRoots workspace = new SourceRoots(workspaceFolders, howToAdd);
        if (workspace.containsLexically(source.path())) return workspace;
        List<Path> folders = new ArrayList<>(workspace.folders());
        folders.add(SourceRoots.folderOf(source.path()));
        return new SourceRoots(folders, howToAdd);
    }

    /** The local folders among {@code uris} (other schemes have no files to import). */
    private static List<Path> localFolders(List<String> uris) {
        List<Path> out = new ArrayList<>();
        for (String uri : uris) {
            if (uri == null) continue;
            try {
                URI u = URI.create(uri);
                if ("file".equalsIgnoreCase(u.getScheme())) out.add(Path.of(u));
            } catch (RuntimeException e) {
                // not a file URI: nothing to import from
            }
        }
        return List.copyOf(out);
    }

    @Override public CompletableFuture<InitializeResult> initialize(InitializeParams params) {
        List<WorkspaceFolder> folders = params.getWorkspaceFolders();
        if (folders != null && !folders.isEmpty()) {
            workspaceFolders = localFolders(folders.stream().map(WorkspaceFolder::getUri).toList());
        } else if (params.getRootUri() != null) {
            workspaceFolders = localFolders(List.of(params.getRootUri()));
        }
        ServerCapabilities caps = new ServerCapabilities();
        WorkspaceFoldersOptions workspaceFolderChanges = new WorkspaceFoldersOptions();
        workspaceFolderChanges.setSupported(true);
        workspaceFolderChanges.setChangeNotifications(true);
        caps.setWorkspace(new WorkspaceServerCapabilities(workspaceFolderChanges));
        TextDocumentSyncOptions sync = new TextDocumentSyncOptions();
        sync.setOpenClose(true);
        sync.setChange(TextDocumentSyncKind.Full);
        sync.setSave(new SaveOptions(false));
        caps.setTextDocumentSync(sync);
        caps.setCompletionProvider(new CompletionOptions(false, List.of("(", ",", ">", ":")));
        caps.setHoverProvider(true);
        String version = DlnLanguageServer.class.getPackage().getImplementationVersion();
        return CompletableFuture.completedFuture(new InitializeResult(caps, new ServerInfo("dln-lsp", version)));
    }

    @Override public CompletableFuture<Object> shutdown() {
        shutdown = true;
        checker.close();
        text.close();
        return CompletableFuture.completedFuture(null);
    }

    @Override public void exit() {
        checker.close();
        text.close();
        exit.accept(shutdown ? 0 : 1);
    }

    @Override public TextDocumentService getTextDocumentService() {
        return text;
    }

    @Override public WorkspaceService getWorkspaceService() {
        return workspace;
    }

    /**
     * The server has no settings and watches no files: saves of open files trigger rechecks
     * instead. It follows the workspace folders, which bound what documents may import.
     */
    private final WorkspaceService workspace = new WorkspaceService() {
        @Override public void didChangeConfiguration(DidChangeConfigurationParams params) {}

        @Override public void didChangeWatchedFiles(DidChangeWatchedFilesParams params) {}

        @Override public void didChangeWorkspaceFolders(DidChangeWorkspaceFoldersParams params) {
            WorkspaceFoldersChangeEvent event = params == null ? null : params.getEvent();
            if (event == null) return;
            List<Path> folders = new ArrayList<>(workspaceFolders);
            if (event.getRemoved() != null) folders.removeAll(localFolders(event.getRemoved().stream().map(WorkspaceFolder::getUri).toList()));
            if (event.getAdded() != null) folders.addAll(localFolders(event.getAdded().stream().map(WorkspaceFolder::getUri).toList()));
            workspaceFolders = List.copyOf(folders);
        }
    };
}
