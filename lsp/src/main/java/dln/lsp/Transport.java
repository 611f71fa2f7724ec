package dln.lsp;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.MessageConsumer;
import org.eclipse.lsp4j.jsonrpc.MessageProducer;
import org.eclipse.lsp4j.jsonrpc.RemoteEndpoint;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.json.ConcurrentMessageProcessor;
import org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler;
import org.eclipse.lsp4j.jsonrpc.json.StreamMessageConsumer;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.eclipse.lsp4j.jsonrpc.services.ServiceEndpoints;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;

/**
 * Connects the server to a client over two streams with lsp4j, made to survive any client:
 * messages are read by {@link Incoming} instead of lsp4j's reader (framing errors recovered, bad
 * messages and params answered), and a request that fails inside the server is answered
 * InternalError with a plain message, its stack trace going to the server's log only.
 */
final class Transport {
    /**
     * The largest message the server reads, in bytes: a document is sent whole in each change,
     * and 16 MiB of JSON is far more than any `.dln` file needs.
     */
    static final int MAX_MESSAGE_BYTES = 16 << 20;

    private Transport() {}

    static Launcher<LanguageClient> launch(LanguageServer server, InputStream in, OutputStream out, int maxBytes, Log log) {
        return new Builder(maxBytes, log)
                .setLocalService(server)
                .setRemoteInterface(LanguageClient.class)
                .setInput(in)
                .setOutput(out)
                .setExceptionHandler(failure -> internalError(failure, log))
                .create();
    }

    /**
     * The answer to a request that threw: its own error if it chose one; MethodNotFound for a
     * method of the protocol that the server does not implement (lsp4j's default throws); else a
     * plain InternalError.
     */
    static ResponseError internalError(Throwable failure, Log log) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException
                || cause instanceof InvocationTargetException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ResponseErrorException chosen) return chosen.getResponseError();
        if (cause instanceof UnsupportedOperationException && thrownBy(cause, "org.eclipse.lsp4j.services.")) {
            return new ResponseError(ResponseErrorCode.MethodNotFound, "Method not found: the DLN language server does not implement it", null);
        }
        log.error("answering a request", cause);
        return new ResponseError(ResponseErrorCode.InternalError, "Internal error in the DLN language server; its log has the details", null);
    }

    private static boolean thrownBy(Throwable t, String packagePrefix) {
        StackTraceElement[] trace = t.getStackTrace();
        return trace.length > 0 && trace[0].getClassName().startsWith(packagePrefix);
    }

    /** lsp4j's launcher with {@link Incoming} as the reader, answering on the same stream as the server. */
    private static final class Builder extends Launcher.Builder<LanguageClient> {
        private final int maxBytes;
        private final Log log;
        private MessageJsonHandler json;
        private MessageConsumer outgoing;

        Builder(int maxBytes, Log log) {
            this.maxBytes = maxBytes;
            this.log = log;
        }

        @Override protected RemoteEndpoint createRemoteEndpoint(MessageJsonHandler handler) {
            json = handler;
            outgoing = wrapMessageConsumer(new StreamMessageConsumer(output, handler));
            RemoteEndpoint endpoint = new RemoteEndpoint(outgoing, ServiceEndpoints.toEndpoint(localServices), exceptionHandler);
            handler.setMethodProvider(endpoint);
            endpoint.setJsonHandler(handler);
            return endpoint;
        }

        @Override protected ConcurrentMessageProcessor createMessageProcessor(MessageProducer lsp4jReader, MessageConsumer endpoint,
                LanguageClient client) {
            return new ConcurrentMessageProcessor(new Incoming(input, maxBytes, json, outgoing, log), endpoint);
        }
    }
}
