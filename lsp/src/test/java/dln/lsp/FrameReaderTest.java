package dln.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Framing and its recovery, byte by byte: what each broken stream yields, and that the next message always comes through. */
class FrameReaderTest {
    static final String A = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"}";
    static final String B = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"b\",\"params\":{\"text\":\"} ] \\\" { [\"}}";

    /** Every frame of {@code stream}, as `body:<json>` or `broken:<reason>`. */
    static List<String> frames(String stream, int maxBytes) throws IOException {
        return frames(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)), maxBytes);
    }

    static List<String> frames(InputStream in, int maxBytes) throws IOException {
        FrameReader reader = new FrameReader(in, maxBytes);
        List<String> out = new ArrayList<>();
        for (FrameReader.Frame f; (f = reader.next()) != null; ) {
            if (f instanceof FrameReader.Body body) out.add("body:" + new String(body.json(), StandardCharsets.UTF_8));
            else out.add("broken:" + ((FrameReader.Broken) f).reason());
        }
        return out;
    }

    static List<String> frames(String stream) throws IOException {
        return frames(stream, 1 << 20);
    }

    static String frame(String json) {
        return RawClient.frame(json);
    }

    static String withLength(long length, String json) {
        return "Content-Length: " + length + "\r\n\r\n" + json;
    }

    @Test void wellFormedFramesComeThroughWhole() throws IOException {
        assertThat(frames(frame(A) + frame(B))).containsExactly("body:" + A, "body:" + B);
    }

    @Test void otherHeadersInAnyOrderAndCaseAreAccepted() throws IOException {
        String typed = "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" + frame(A);
        String after = "content-length: " + A.length() + "\r\nContent-Type: x\r\n\r\n" + A;
        String bareNewlines = "Content-Length: " + A.length() + "\n\n" + A;
        assertThat(frames(typed + after + bareNewlines)).containsExactly("body:" + A, "body:" + A, "body:" + A);
    }

    @Test void blankLinesBetweenFramesAreNotReported() throws IOException {
        assertThat(frames(frame(A) + "\r\n\r\n  \n" + frame(B))).containsExactly("body:" + A, "body:" + B);
    }

    @Test void aLengthTooShortIsReadOnToTheEndOfTheJson() throws IOException {
        // the classic client bug: characters counted instead of UTF-8 bytes
        String accented = "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"text\":\"caf\u00e9 \u4e2d\u6587\"}}";
        assertThat(frames(withLength(accented.length(), accented) + frame(B))).containsExactly("body:" + accented, "body:" + B);
        assertThat(frames(withLength(10, A) + frame(B))).containsExactly("body:" + A, "body:" + B);
    }

    @Test void aLengthTooLongEndsWithTheJsonAndLosesNothingAfterIt() throws IOException {
        assertThat(frames(withLength(A.length() + 40, A) + frame(B))).containsExactly("body:" + A, "body:" + B);
    }

    @Test void aLengthTooLongDoesNotWaitForBytesThatNeverCome() throws IOException {
        // The stream blocks (like a pipe whose writer waits for an answer) instead of ending.
        InputStream pipe = new BlockingAfter(withLength(1000, A));
        FrameReader reader = new FrameReader(pipe, 1 << 20);
        assertThat(reader.next()).isInstanceOfSatisfying(FrameReader.Body.class,
                b -> assertThat(new String(b.json(), StandardCharsets.UTF_8)).isEqualTo(A));
    }

    @Test void aBodyCutShortIsReportedWhenTheNextHeaderArrives() throws IOException {
        String cut = A.substring(0, 20);
        assertThat(frames(frame(cut) + frame(B)))
                .containsExactly("broken:the message's JSON does not end within its Content-Length of 20 bytes", "body:" + B);
    }

    @Test void aLengthThatIsNotANumberIsReportedAndItsBodySkipped() throws IOException {
        for (String bad : List.of("abc", "-5", "", "12abc", "1e3", "99999999999999999999999")) {
            assertThat(frames("Content-Length: " + bad + "\r\n\r\n" + A + frame(B))).as(bad)
                    .containsExactly("broken:the Content-Length header is not a valid length", "body:" + B);
        }
    }

    @Test void aHugeLengthIsRefusedBeforeAnythingIsAllocated() throws IOException {
        assertThat(frames(withLength(1L << 40, A) + frame(B)))
                .containsExactly("broken:a message of 1099511627776 bytes exceeds the limit of 1048576 bytes", "body:" + B);
    }

    @Test void aBodyOverTheLimitIsSkippedToTheNextHeader() throws IOException {
        String big = "{\"text\":\"" + "x".repeat(200) + "\"}";
        assertThat(frames(frame(big) + frame(A), 100))
                .containsExactly("broken:a message of " + big.length() + " bytes exceeds the limit of 100 bytes", "body:" + A);
        // a short length does not get around the limit
        assertThat(frames(withLength(10, big) + frame(A), 100))
                .containsExactly("broken:a message longer than the limit of 100 bytes", "body:" + A);
    }

    @Test void aMessageWithoutContentLengthIsSkippedAndReported() throws IOException {
        String missing = "Content-Type: x\r\n\r\n" + A;
        assertThat(frames(missing + frame(B)))
                .containsExactly("broken:skipped " + missing.length() + " bytes that are not part of a message (no Content-Length header)", "body:" + B);
    }

    @Test void garbageBetweenFramesIsSkippedAndReported() throws IOException {
        assertThat(frames(frame(A) + "hello\u0000garbage\n" + frame(B)))
                .containsExactly("body:" + A, "broken:skipped 14 bytes that are not part of a message (no Content-Length header)", "body:" + B);
        // glued to the next header, with no line break
        assertThat(frames(frame(A) + "}}" + frame(B)))
                .containsExactly("body:" + A, "broken:skipped 2 bytes that are not part of a message (no Content-Length header)", "body:" + B);
    }

    @Test void aMissingBlankLineBeforeTheBodyIsForgiven() throws IOException {
        assertThat(frames("Content-Length: " + A.length() + "\r\n" + A + frame(B))).containsExactly("body:" + A, "body:" + B);
    }

    @Test void malformedHeadersAreReportedAndTheNextFrameRead() throws IOException {
        assertThat(frames("Content-Length: 5\r\nnot a header\r\n\r\n" + A + frame(B)))
                .containsExactly("broken:malformed headers", "body:" + B);
        assertThat(frames("Content-Length: 5\r\nX-Long: " + "y".repeat(5000) + "\r\n\r\n" + A + frame(B)))
                .containsExactly("broken:malformed headers", "body:" + B);
    }

    @Test void aRepeatedLengthHeaderWins() throws IOException {
        // a header block cut short, followed by a whole one
        assertThat(frames("Content-Length: 3\r\n" + frame(A))).containsExactly("body:" + A);
    }

    @Test void bodiesThatAreNotObjectsAreReadToTheirLength() throws IOException {
        assertThat(frames(frame("42") + frame("garbage!") + frame(A))).containsExactly("body:42", "body:garbage!", "body:" + A);
    }

    @Test void theEndOfTheStreamEndsTheFrames() throws IOException {
        assertThat(frames("")).isEmpty();
        assertThat(frames(frame(A) + "Content-Length: 50\r\n\r\n{\"id\":")).containsExactly("body:" + A);
        assertThat(frames(frame(A) + "Content-Len")).containsExactly("body:" + A);
    }

    @Test void jsonEndFollowsStringsAndEscapes() {
        for (String json : List.of("{\"a\":\"}\"}", "{\"a\":\"\\\"}\"}", "  [1,[2],{\"x\":[]}]", "{\"a\":\"\\\\\"}", "{\"\u00e9\":\"\u4e2d}\"}")) {
            assertThat(endOf(json + "{}")).as(json).isEqualTo(json.getBytes(StandardCharsets.UTF_8).length);
        }
        assertThat(endOf("{\"a\":{")).isEqualTo(-1);
        assertThat(endOf("42")).isEqualTo(-1);
    }

    /** The index after the byte that ends the top-level JSON value, or -1. */
    private static int endOf(String json) {
        FrameReader.JsonEnd end = new FrameReader.JsonEnd();
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) if (end.accept(bytes[i] & 0xff)) return i + 1;
        return -1;
    }

    /** Gives its bytes, then fails the test instead of blocking forever as a pipe would. */
    private static final class BlockingAfter extends InputStream {
        private final ByteArrayInputStream bytes;

        BlockingAfter(String text) {
            bytes = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override public int read(byte[] b, int off, int len) {
            if (bytes.available() == 0) throw new AssertionError("read past the message: a pipe would block here");
            return bytes.read(b, off, len);
        }
    }
}
