package dln.lsp;

import static dln.lsp.RawClient.frame;
import static dln.lsp.RawClient.notification;
import static dln.lsp.RawClient.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.json.JsonRpcMethod;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.eclipse.lsp4j.jsonrpc.services.ServiceEndpoints;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server against a client that breaks the rules, over raw bytes on piped streams: wrong
 * framing, bad JSON, bad requests, bad params, unknown methods. Each error is answered with its
 * JSON-RPC code and a plain message, and after each the server still answers a hover and
 * publishes diagnostics. No message it sends, in any test here, carries a Java stack trace.
 */
class HostileClientTest {
    static final int PARSE_ERROR = -32700, INVALID_REQUEST = -32600, METHOD_NOT_FOUND = -32601, INVALID_PARAMS = -32602;
    static final String HOVER_PARAMS = "{\"textDocument\":{\"uri\":\"file:///x.dln\"},\"position\":{\"line\":0,\"character\":0}}";

    @TempDir Path dir;
    RawClient client;
    int nextId = 1000;

    @BeforeEach void start() throws Exception {
        client = new RawClient();
        client.initialize();
    }

    @AfterEach void stop() throws Exception {
        client.close();
        for (String text : client.texts()) {
            assertThat(text).as("a message from the server").doesNotContain("Exception", "\\tat ", "java.", ".java:", "gson");
        }
    }

    /** The server still serves: a hover gets its answer, and a document opened gets its diagnostics. */
    void assertServing() throws Exception {
        int id = nextId++;
        String uri = dir.resolve("check" + id + ".dln").toUri().toString();
        client.send(frame(RawClient.hover(id, uri, 0, 0)));
        assertThat(client.awaitResponse(id).json().has("error")).isFalse();
        client.send(frame(RawClient.didOpen(uri, DlnLanguageServerTest.BROKEN)));
        RawClient.Received published = client.awaitNotification("textDocument/publishDiagnostics",
                r -> r.json().getAsJsonObject("params").get("uri").getAsString().equals(uri));
        assertThat(published.text()).contains("\"code\":\"DLN041\"");
    }

    /** The next error response with id null: what a message that could not be read is answered with. */
    JsonObject awaitAnonymousError() throws InterruptedException {
        return client.await(r -> r.json().has("error") && r.json().get("id").isJsonNull(), "an error response with id null").error();
    }

    static void assertError(JsonObject error, int code, String message) {
        assertThat(error.get("code").getAsInt()).isEqualTo(code);
        assertThat(error.get("message").getAsString()).isEqualTo(message);
        assertThat(error.has("data")).as("error data").isFalse();
    }

    // --- framing ---

    @Test void aContentLengthTooShortStillDeliversTheMessage() throws Exception {
        String hover = RawClient.hover(1, "file:///x.dln", 0, 0);
        client.send("Content-Length: 20\r\n\r\n" + hover);
        assertThat(client.awaitResponse(1).json().has("error")).isFalse();
        assertServing();
    }

    @Test void aContentLengthTooLongStillDeliversTheMessageAndTheNext() throws Exception {
        String hover = RawClient.hover(1, "file:///x.dln", 0, 0);
        client.send("Content-Length: " + (hover.length() + 500) + "\r\n\r\n" + hover);
        assertThat(client.awaitResponse(1).json().has("error")).isFalse();
        assertServing();
    }

    @Test void aContentLengthThatIsNotANumberIsAnsweredAndSkipped() throws Exception {
        client.send("Content-Length: twelve\r\n\r\n" + RawClient.hover(1, "file:///x.dln", 0, 0));
        assertError(awaitAnonymousError(), PARSE_ERROR, "Parse error: the Content-Length header is not a valid length");
        assertServing();
    }

    @Test void aMessageWithoutContentLengthIsAnsweredAndSkipped() throws Exception {
        String hover = RawClient.hover(1, "file:///x.dln", 0, 0);
        String headers = "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n";
        client.send(headers + hover);
        assertServing();
        assertError(awaitAnonymousError(), PARSE_ERROR,
                "Parse error: skipped " + (headers + hover).length() + " bytes that are not part of a message (no Content-Length header)");
    }

    @Test void garbageBetweenMessagesIsAnsweredAndSkipped() throws Exception {
        client.send("\u0000\u00ff hello }}} \r\n");
        assertServing();
        assertThat(awaitAnonymousError().get("code").getAsInt()).isEqualTo(PARSE_ERROR);
    }

    @Test void invalidJsonIsAParseError() throws Exception {
        client.send(frame("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":}"));
        assertError(awaitAnonymousError(), PARSE_ERROR, "Parse error: the message is not valid JSON");
        // the JSON ends before its length: what follows it is skipped and reported
        client.send(frame("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"} trailing"));
        assertThat(client.awaitResponse(1).error().get("code").getAsInt()).isEqualTo(METHOD_NOT_FOUND);
        assertServing();
        assertError(awaitAnonymousError(), PARSE_ERROR, "Parse error: skipped 9 bytes that are not part of a message (no Content-Length header)");
    }

    @Test void aBodyCutShortIsAnsweredWhenTheNextMessageComes() throws Exception {
        String cut = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"textDocument/hover\",\"params\":{";
        client.send(frame(cut));
        assertServing();
        assertError(awaitAnonymousError(), PARSE_ERROR,
                "Parse error: the message's JSON does not end within its Content-Length of " + cut.length() + " bytes");
    }

    @Test void aHugeContentLengthIsRefusedWithoutAllocatingIt() throws Exception {
        client.send("Content-Length: 1099511627776\r\n\r\n" + RawClient.hover(1, "file:///x.dln", 0, 0));
        assertError(awaitAnonymousError(), PARSE_ERROR,
                "Parse error: a message of 1099511627776 bytes exceeds the limit of " + Transport.MAX_MESSAGE_BYTES + " bytes");
        assertServing();
    }

    @Test void aMessageOverTheLimitIsRefusedAndTheNextServed() throws Exception {
        client.close();
        client = new RawClient(new DlnLanguageServer(code -> {}), 4096);
        client.initialize();
        String big = RawClient.didOpen(dir.resolve("big.dln").toUri().toString(), "x".repeat(10_000));
        client.send(frame(big));
        assertError(awaitAnonymousError(), PARSE_ERROR, "Parse error: a message of " + big.length() + " bytes exceeds the limit of 4096 bytes");
        assertServing();
    }

    @Test void jsonNestedDeeperThanTheLimitIsAParseError() throws Exception {
        String deep = "[".repeat(200_000) + "]".repeat(200_000);
        client.send(frame(request(1, "textDocument/hover", "{\"textDocument\":{\"uri\":\"file:///x.dln\",\"extra\":" + deep
                + "},\"position\":{\"line\":0,\"character\":0}}")));
        assertError(awaitAnonymousError(), PARSE_ERROR, "Parse error: the message's JSON nests deeper than " + Incoming.MAX_DEPTH + " levels");
        // within the limit, it is read
        String nested = "[".repeat(200) + "]".repeat(200);
        client.send(frame(request(2, "initialize", "{\"capabilities\":{},\"initializationOptions\":" + nested + "}")));
        assertThat(client.awaitResponse(2).json().has("result")).isTrue();
        assertServing();
    }

    // --- requests that are not requests ---

    @Test void messagesThatAreNotRequestsAreInvalidRequests() throws Exception {
        client.send(frame("{\"jsonrpc\":\"2.0\",\"id\":7}"));
        assertError(client.awaitResponse(7).error(), INVALID_REQUEST, "Invalid request: the message has no method");
        client.send(frame("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":5}"));
        assertError(client.awaitResponse(8).error(), INVALID_REQUEST, "Invalid request: the method must be a string");
        client.send(frame("[" + request(9, "textDocument/hover", HOVER_PARAMS) + "]"));
        assertError(awaitAnonymousError(), INVALID_REQUEST, "Invalid request: batches are not supported");
        client.send(frame("42"));
        assertError(awaitAnonymousError(), INVALID_REQUEST, "Invalid request: a message is a JSON object");
        client.send(frame("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"textDocument/hover\"}"));
        assertError(awaitAnonymousError(), INVALID_REQUEST, "Invalid request: the id must be a number or a string");
        assertServing();
    }

    @Test void unknownMethodsAreMethodNotFound() throws Exception {
        client.send(frame("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"foo/bar\",\"params\":{}}"));
        RawClient.Received answer = client.await(r -> r.text().contains("\"id\":\"abc\""), "the answer to abc");
        assertThat(answer.text()).contains("\"id\":\"abc\"");
        assertThat(answer.error().get("code").getAsInt()).isEqualTo(METHOD_NOT_FOUND);
        client.send(frame(notification("foo/baz", "{}")));
        // a method of the protocol that this server does not implement
        client.send(frame(request(2, "textDocument/definition", HOVER_PARAMS)));
        assertError(client.awaitResponse(2).error(), METHOD_NOT_FOUND, "Method not found: the DLN language server does not implement it");
        assertServing();
    }

    // --- params ---

    /** Every method lsp4j routes to this server that takes params, by name, except the ones that end the session. */
    static Map<String, JsonRpcMethod> methodsWithParams() {
        Map<String, JsonRpcMethod> methods = new TreeMap<>(ServiceEndpoints.getSupportedMethods(DlnLanguageServer.class));
        methods.values().removeIf(m -> m.getParameterTypes().length == 0);
        assertThat(methods).containsKeys("initialize", "initialized", "textDocument/didOpen", "textDocument/didChange",
                "textDocument/didClose", "textDocument/didSave", "textDocument/completion", "textDocument/hover",
                "workspace/didChangeConfiguration", "workspace/didChangeWatchedFiles");
        return methods;
    }

    @Test void nullParamsAreInvalidParamsForEveryMethod() throws Exception {
        assertEveryMethodRejects("null", "params are missing");
    }

    @Test void paramsOfTheWrongTypeAreInvalidParamsForEveryMethod() throws Exception {
        assertEveryMethodRejects("42", "params have the wrong shape");
        assertEveryMethodRejects("\"text\"", "params have the wrong shape");
    }

    private void assertEveryMethodRejects(String params, String problem) throws Exception {
        for (JsonRpcMethod m : methodsWithParams().values()) assertRejected(m.getMethodName(), params, problem);
        assertServing();
    }

    @Test void paramsMissingARequiredFieldAreInvalidParams() throws Exception {
        assertRejected("textDocument/hover", "{\"textDocument\":{\"uri\":\"file:///x.dln\"}}", "params.position is missing");
        assertRejected("textDocument/hover", "{\"textDocument\":{},\"position\":{\"line\":0,\"character\":0}}", "params.textDocument.uri is missing");
        assertRejected("textDocument/completion", "{\"position\":{\"line\":0,\"character\":0}}", "params.textDocument is missing");
        assertRejected("initialize", "{}", "params.capabilities is missing");
        assertRejected("textDocument/didOpen", "{\"textDocument\":{\"uri\":\"file:///x.dln\",\"languageId\":\"dln\",\"version\":1}}",
                "params.textDocument.text is missing");
        assertRejected("textDocument/didChange", "{\"textDocument\":{\"uri\":\"file:///x.dln\",\"version\":2},\"contentChanges\":[null]}",
                "params.contentChanges[0] is null");
        assertRejected("textDocument/didChange", "{\"textDocument\":{\"uri\":\"file:///x.dln\",\"version\":2},\"contentChanges\":[{}]}",
                "params.contentChanges[0].text is missing");
        assertRejected("textDocument/didClose", "{}", "params.textDocument is missing");
        assertServing();
    }

    @Test void paramsWithAFieldOfTheWrongTypeAreInvalidParams() throws Exception {
        assertRejected("textDocument/hover", "{\"textDocument\":5,\"position\":{\"line\":0,\"character\":0}}", "params.textDocument has the wrong type");
        assertRejected("textDocument/completion", "{\"textDocument\":{\"uri\":\"file:///x.dln\"},\"position\":{\"line\":\"top\",\"character\":0}}",
                "params.position.line has the wrong type");
        assertRejected("textDocument/didChange", "{\"textDocument\":{\"uri\":\"file:///x.dln\",\"version\":2},\"contentChanges\":\"abc\"}",
                "params.contentChanges has the wrong type");
        assertRejected("textDocument/didClose", "{\"textDocument\":[]}", "params.textDocument has the wrong type");
        assertRejected("initialize", "{\"capabilities\":[1, 2]}", "params.capabilities has the wrong type");
        assertServing();
    }

    /** A request answered InvalidParams, or a notification ignored with a warning in the log, with this problem. */
    private void assertRejected(String method, String params, String problem) throws Exception {
        String expected = "Invalid params for " + method + ": " + problem;
        if (methodsWithParams().get(method).isNotification()) {
            client.send(frame(notification(method, params)));
            RawClient.Received logged = client.awaitNotification("window/logMessage", r -> r.logged().endsWith(expected));
            assertThat(logged.logged()).isEqualTo("dln-lsp: ignored a notification: " + expected);
            assertThat(logged.json().getAsJsonObject("params").get("type").getAsInt()).as("a warning").isEqualTo(2);
        } else {
            int id = nextId++;
            client.send(frame(request(id, method, params)));
            assertError(client.awaitResponse(id).error(), INVALID_PARAMS, expected);
        }
    }

    // --- requests that fail inside the server ---

    @Test void aRequestThatThrowsIsAnsweredInternalErrorWithoutItsTrace() {
        List<String> log = new ArrayList<>();
        ResponseError error = Transport.internalError(new CompletionException(new IllegalStateException("boom")), TestLog.into(log));
        assertThat(error.getCode()).isEqualTo(ResponseErrorCode.InternalError.getValue());
        assertThat(error.getMessage()).isEqualTo("Internal error in the DLN language server; its log has the details");
        assertThat(error.getData()).isNull();
        assertThat(log).containsExactly("error: answering a request: java.lang.IllegalStateException: boom");

        ResponseError chosen = new ResponseError(ResponseErrorCode.InvalidParams, "chosen", null);
        assertThat(Transport.internalError(new ResponseErrorException(chosen), TestLog.into(log))).isSameAs(chosen);
    }
}
