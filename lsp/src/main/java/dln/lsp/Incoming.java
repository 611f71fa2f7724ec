package dln.lsp;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.eclipse.lsp4j.jsonrpc.MessageConsumer;
import org.eclipse.lsp4j.jsonrpc.MessageProducer;
import org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.jsonrpc.messages.Message;
import org.eclipse.lsp4j.jsonrpc.messages.NotificationMessage;
import org.eclipse.lsp4j.jsonrpc.messages.RequestMessage;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseMessage;

/**
 * What the client sends, read and checked before the server acts on it. Frames come from a
 * {@link FrameReader}; each body must be a JSON-RPC message, and its params must suit its method
 * ({@link Params}). What fails is answered with a JSON-RPC error and a plain message, never a
 * stack trace: ParseError for bytes that are not a message or not JSON, InvalidRequest for JSON
 * that is not a request, InvalidParams for params that do not suit the method (lsp4j itself
 * answers MethodNotFound). A notification gets no answer, so its problem goes to the log.
 * Nothing a client sends stops the reading.
 */
final class Incoming implements MessageProducer, Closeable {
    /** Objects and arrays nest at most this deep in a message (gson's default; protocol messages nest a dozen). */
    static final int MAX_DEPTH = 255;
    private static final TypeAdapter<JsonElement> TREE = new Gson().getAdapter(JsonElement.class);
    private final InputStream in;
    private final int maxBytes;
    private final MessageJsonHandler json;
    private final MessageConsumer out;
    private final Log log;
    private volatile boolean closed;

    /** Reads from {@code in}, answers problems on {@code out} (the stream to the client). */
    Incoming(InputStream in, int maxBytes, MessageJsonHandler json, MessageConsumer out, Log log) {
        this.in = in;
        this.maxBytes = maxBytes;
        this.json = json;
        this.out = out;
        this.log = log;
    }

    @Override public void listen(MessageConsumer endpoint) {
        FrameReader frames = new FrameReader(in, maxBytes);
        try {
            FrameReader.Frame frame;
            while (!closed && (frame = frames.next()) != null) {
                try {
                    if (frame instanceof FrameReader.Body body) deliver(body.json(), endpoint);
                    else if (frame instanceof FrameReader.Broken broken) answer(null, ResponseErrorCode.ParseError, "Parse error: " + broken.reason());
                } catch (RuntimeException | StackOverflowError e) {
                    log.error("reading a message", e);
                }
            }
        } catch (IOException e) {
            // the client closed the stream: the session is over
        }
    }

    @Override public void close() {
        closed = true;
    }

    private void deliver(byte[] body, MessageConsumer endpoint) {
        String text = new String(body, StandardCharsets.UTF_8);
        JsonElement parsed = parse(text);
        if (parsed == null) {
            answer(null, ResponseErrorCode.ParseError, depth(body) > MAX_DEPTH
                    ? "Parse error: the message's JSON nests deeper than " + MAX_DEPTH + " levels"
                    : "Parse error: the message is not valid JSON");
        } else if (!parsed.isJsonObject()) {
            answer(null, ResponseErrorCode.InvalidRequest,
                    parsed.isJsonArray() ? "Invalid request: batches are not supported" : "Invalid request: a message is a JSON object");
        } else {
            deliver(parsed.getAsJsonObject(), endpoint);
        }
    }

    private void deliver(JsonObject message, MessageConsumer endpoint) {
        JsonElement id = message.get("id");
        JsonElement method = message.get("method");
        if (id != null && !id.isJsonNull() && !isIdValue(id)) {
            answer(null, ResponseErrorCode.InvalidRequest, "Invalid request: the id must be a number or a string");
        } else if (method == null) {
            boolean response = id != null && (message.has("result") || message.has("error"));
            if (response) consume(message, endpoint);
            else answer(id, ResponseErrorCode.InvalidRequest, "Invalid request: the message has no method");
        } else if (!method.isJsonPrimitive() || !method.getAsJsonPrimitive().isString()) {
            answer(id, ResponseErrorCode.InvalidRequest, "Invalid request: the method must be a string");
        } else {
            call(method.getAsString(), id, message, endpoint);
        }
    }

    /** A request or notification: read by lsp4j into the method's params, checked, then handed to the server. */
    private void call(String method, JsonElement id, JsonObject tree, MessageConsumer endpoint) {
        Message message;
        try {
            message = read(tree);
        } catch (RuntimeException e) {
            reject(method, id, Params.shapeProblem(e));
            return;
        }
        Object params = message instanceof RequestMessage r ? r.getParams()
                : message instanceof NotificationMessage n ? n.getParams() : null;
        String problem = Params.problem(json.getJsonRpcMethod(method), params);
        if (problem != null) reject(method, id, problem);
        else consume(message, endpoint);
    }

    private void reject(String method, JsonElement id, String problem) {
        String text = "Invalid params for " + method + ": " + problem;
        if (id == null || id.isJsonNull()) log.warning("ignored a notification: " + text);
        else answer(id, ResponseErrorCode.InvalidParams, text);
    }

    private void consume(JsonObject tree, MessageConsumer endpoint) {
        try {
            consume(read(tree), endpoint);
        } catch (RuntimeException e) {
            log.warning("ignored a response that lsp4j could not read");
        }
    }

    /** The message as lsp4j reads it, params typed by its method, from the tree already parsed (the text is parsed once). */
    private Message read(JsonObject tree) {
        Message message = json.getGson().fromJson(tree, Message.class);
        message.setJsonHandler(json);
        return message;
    }

    private void consume(Message message, MessageConsumer endpoint) {
        try {
            endpoint.consume(message);
        } catch (RuntimeException e) {
            log.error("handling " + describe(message), e);
        }
    }

    private static String describe(Message message) {
        if (message instanceof RequestMessage r) return "request " + r.getMethod();
        if (message instanceof NotificationMessage n) return "notification " + n.getMethod();
        return "a response";
    }

    /** An error response to the message with {@code id} (null when it could not be read). */
    private void answer(JsonElement id, ResponseErrorCode code, String message) {
        ResponseMessage response = new ResponseMessage();
        response.setRawId(id == null || id.isJsonNull() ? null : idOf(id.getAsJsonPrimitive()));
        response.setError(new ResponseError(code, message, null));
        try {
            out.consume(response);
        } catch (RuntimeException e) {
            log.error("answering a malformed message", e);
        }
    }

    private static Either<String, Number> idOf(JsonPrimitive id) {
        return id.isString() ? Either.forLeft(id.getAsString()) : Either.forRight(id.getAsNumber());
    }

    private static boolean isIdValue(JsonElement id) {
        return id.isJsonPrimitive() && (id.getAsJsonPrimitive().isString() || id.getAsJsonPrimitive().isNumber());
    }

    private static int depth(byte[] body) {
        FrameReader.JsonEnd json = new FrameReader.JsonEnd();
        for (byte b : body) json.accept(b & 0xff);
        return json.deepest();
    }

    /** The JSON of {@code text}, strictly, or null when it is not one whole JSON value. */
    private JsonElement parse(String text) {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setNestingLimit(MAX_DEPTH);
            JsonElement element = TREE.read(reader);
            return reader.peek() == JsonToken.END_DOCUMENT ? element : null;
        } catch (IOException | JsonParseException | IllegalStateException | StackOverflowError e) {
            return null;
        }
    }
}
