package dln.lsp;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A client that writes raw bytes to a {@link DlnLanguageServer} on piped streams, so that tests can
 * send what no well-behaved client would (wrong lengths, garbage, bad params), and reads back every
 * message the server sends, as JSON, with its raw text.
 */
final class RawClient implements AutoCloseable {
    /** One message from the server: its JSON and its exact text. */
    record Received(JsonObject json, String text) {
        boolean isResponse(int id) {
            return !json.has("method") && json.has("id") && json.get("id").toString().equals(String.valueOf(id));
        }

        boolean isNotification(String method) {
            return json.has("method") && json.get("method").getAsString().equals(method) && !json.has("id");
        }

        /** The message of a window/logMessage, or null. */
        String logged() {
            return isNotification("window/logMessage") ? json.getAsJsonObject("params").get("message").getAsString() : null;
        }

        JsonObject error() {
            return json.getAsJsonObject("error");
        }
    }

    private final PipedOutputStream toServer = new PipedOutputStream();
    private final PipedOutputStream toClient = new PipedOutputStream();
    /** Everything received, in order; {@link #await} claims each message once. */
    private final List<Received> all = new ArrayList<>();
    private final List<Boolean> claimed = new ArrayList<>();

    RawClient() throws IOException {
        this(new DlnLanguageServer(code -> {}), Transport.MAX_MESSAGE_BYTES);
    }

    RawClient(DlnLanguageServer server, int maxMessageBytes) throws IOException {
        PipedInputStream serverIn = new PipedInputStream(toServer, 1 << 16);
        PipedInputStream clientIn = new PipedInputStream(toClient, 1 << 16);
        DlnLanguageServer.launch(server, serverIn, toClient, maxMessageBytes).startListening();
        Thread reader = new Thread(() -> readAll(clientIn), "raw-client-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** A JSON-RPC message framed as LSP frames it: its length in UTF-8 bytes, a blank line, the body. */
    static String frame(String json) {
        return "Content-Length: " + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
    }

    static String request(int id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    static String notification(String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    static String didOpen(String uri, String text) {
        JsonObject doc = new JsonObject();
        doc.addProperty("uri", uri);
        doc.addProperty("languageId", "dln");
        doc.addProperty("version", 1);
        doc.addProperty("text", text);
        JsonObject params = new JsonObject();
        params.add("textDocument", doc);
        return notification("textDocument/didOpen", params.toString());
    }

    static String hover(int id, String uri, int line, int character) {
        return request(id, "textDocument/hover", "{\"textDocument\":{\"uri\":\"" + uri + "\"},\"position\":{\"line\":" + line
                + ",\"character\":" + character + "}}");
    }

    void send(String raw) throws IOException {
        send(raw.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] raw) throws IOException {
        toServer.write(raw);
        toServer.flush();
    }

    /** Sends {@code initialize} and {@code initialized}, as an editor does first. */
    void initialize() throws Exception {
        send(frame(request(0, "initialize", "{\"capabilities\":{}}")));
        awaitResponse(0);
        send(frame(notification("initialized", "{}")));
    }

    Received awaitResponse(int id) throws InterruptedException {
        return await(r -> r.isResponse(id), "the response to request " + id);
    }

    Received awaitNotification(String method, Predicate<Received> wanted) throws InterruptedException {
        return await(r -> r.isNotification(method) && wanted.test(r), "a " + method);
    }

    /** The first message not yet claimed that satisfies {@code wanted}, waiting for it; it is claimed. */
    Received await(Predicate<Received> wanted, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestClient.WAIT_S);
        synchronized (all) {
            while (true) {
                for (int i = 0; i < all.size(); i++) {
                    if (!claimed.get(i) && wanted.test(all.get(i))) {
                        claimed.set(i, true);
                        return all.get(i);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new AssertionError("no " + what + " within " + TestClient.WAIT_S + " s; received: " + texts());
                TimeUnit.NANOSECONDS.timedWait(all, left);
            }
        }
    }

    /** The text of every message received so far. */
    List<String> texts() {
        synchronized (all) {
            return all.stream().map(Received::text).toList();
        }
    }

    private void readAll(InputStream in) {
        try {
            while (true) {
                int length = readLength(in);
                if (length < 0) return;
                String text = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                JsonElement json = JsonParser.parseString(text);
                Received r = new Received(json.getAsJsonObject(), text);
                synchronized (all) {
                    all.add(r);
                    claimed.add(false);
                    all.notifyAll();
                }
            }
        } catch (IOException e) {
            // the server closed its end
        }
    }

    /** The server frames well: read its headers up to the blank line; -1 at the end. */
    private static int readLength(InputStream in) throws IOException {
        int length = -1;
        while (true) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) return -1;
                if (c != '\r') line.write(c);
            }
            String header = line.toString(StandardCharsets.US_ASCII);
            if (header.isEmpty()) return length;
            if (header.startsWith("Content-Length:")) length = Integer.parseInt(header.substring(15).trim());
        }
    }

    @Override public void close() throws IOException {
        toServer.close();
        toClient.close();
    }
}
