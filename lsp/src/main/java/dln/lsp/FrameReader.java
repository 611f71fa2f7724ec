package dln.lsp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits the client's byte stream into message bodies, and gets back in step after any framing
 * error. A frame is LSP's: headers (`Content-Length: n`, maybe `Content-Type`), a blank line, then
 * n bytes of JSON. A client can get the length wrong, and only the JSON itself can tell, so:
 * <ul>
 * <li>a body ends where its JSON object (or array) ends, even before the length given: a length
 *     that is too long never leaves the server waiting for bytes that will not come;
 * <li>a body whose JSON has not ended at the length given (a length that is too short) is read
 *     on until it ends, unless a new `Content-Length:` header turns up first: then the body is
 *     reported broken and that header starts the next frame;
 * <li>a missing, non-numeric or oversized length is reported, and reading resumes at the next
 *     `Content-Length:` header; bytes between frames that are not headers are skipped and reported.
 * </ul>
 * Memory is bounded: a body holds at most {@code maxBytes} bytes, growing as bytes arrive (a
 * header's length is never allocated up front), and header lines are bounded too.
 */
final class FrameReader {
    /** What the stream yields: a message body, or the report of bytes that did not make one. */
    sealed interface Frame permits Body, Broken {}

    /** The bytes of one JSON message. */
    record Body(byte[] json) implements Frame {}

    /** A framing error, in words for the client. */
    record Broken(String reason) implements Frame {}

    private static final byte[] LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    /** The longest header line kept: real ones are a few dozen bytes. */
    private static final int MAX_HEADER_LINE = 1024;
    private static final int MAX_HEADER_LINES = 16;
    /** What {@link #readHeaders} returns instead of a length. */
    private static final long END = -1, BAD_HEADER = -2, BAD_LENGTH = -3;

    private final InputStream in;
    private final int maxBytes;
    private final byte[] buffer = new byte[8192];
    private int pos;
    private int end;
    /** A `Content-Length:` token has been read; its value comes next. */
    private boolean atHeader;
    /** The bytes skipped next belong to a frame already reported broken: do not report them again. */
    private boolean quiet;

    FrameReader(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** The next frame, or null at the end of the stream. */
    Frame next() throws IOException {
        if (!atHeader) {
            long skipped = skipToHeader();
            if (skipped < 0) return null;
            atHeader = true;
            boolean report = skipped > 0 && !quiet;
            quiet = false;
            if (report) return new Broken("skipped " + skipped + " bytes that are not part of a message (no Content-Length header)");
        }
        atHeader = false;
        long length = readHeaders();
        if (length == END) return null;
        if (length < 0) return broken(length == BAD_HEADER ? "malformed headers" : "the Content-Length header is not a valid length");
        if (length > maxBytes) return broken("a message of " + length + " bytes exceeds the limit of " + maxBytes + " bytes");
        return readBody(length);
    }

    private Frame broken(String reason) {
        quiet = true;
        return new Broken(reason);
    }

    /**
     * Skips to just past the next `Content-Length:` token (any case). Returns how many bytes
     * before it were not headers or blank, or -1 at the end of the stream. Other headers (a
     * `Content-Type` before the length) and blank lines are not counted.
     */
    private long skipToHeader() throws IOException {
        Junk junk = new Junk();
        int matched = 0;
        long skipped = 0;
        while (true) {
            int b = read();
            if (b < 0) return -1;
            skipped++;
            int next = match(matched, b);
            if (next == 1) junk.tokenStart();
            junk.accept(b);
            matched = next;
            if (matched == LENGTH.length) return junk.any() ? skipped - LENGTH.length : 0;
        }
    }

    /** How much of the `Content-Length:` token has been seen after byte {@code b}. */
    private static int match(int matched, int b) {
        int lower = Character.toLowerCase(b);
        if (lower == LENGTH[matched]) return matched + 1;
        return lower == LENGTH[0] ? 1 : 0;
    }

    /**
     * Tells header lines and blank lines from junk, line by line. The bytes of the token being
     * matched are judged from the state before it began, so `x}Content-Length:` counts as junk.
     */
    private static final class Junk {
        private static final int LINE_START = 0, NAME = 1, VALUE = 2;
        private int state = LINE_START;
        private int beforeToken = LINE_START;
        private boolean seen;

        void tokenStart() {
            beforeToken = state;
        }

        void accept(int b) {
            switch (state) {
                case LINE_START -> {
                    if (isTokenChar(b)) state = NAME;
                    else if (!isSpace(b)) seen = true;
                }
                case NAME -> {
                    if (b == ':') state = VALUE;
                    else if (!isTokenChar(b)) {
                        seen = true;
                        state = b == '\n' ? LINE_START : VALUE;
                    }
                }
                default -> {
                    if (b == '\n') state = LINE_START;
                }
            }
        }

        boolean any() {
            return seen || beforeToken != LINE_START;
        }
    }

    /**
     * Reads the value after `Content-Length:`, then the other header lines up to the blank line.
     * Returns the length, or END, BAD_HEADER or BAD_LENGTH. What does not fit is left unread, so
     * that a header inside it can still be found. A body that starts right after the headers,
     * without the blank line, is taken as the body; a repeated `Content-Length` replaces the
     * first (a header block cut short may come before a whole one).
     */
    private long readHeaders() throws IOException {
        long length = readLength();
        if (length < 0) return length;
        for (int lines = 0; ; lines++) {
            int b = peek();
            if (b < 0) return END;
            if (b == '{' || b == '[') return length;
            if (b == '\r' || b == '\n') return readBlankLine() ? length : BAD_HEADER;
            if (lines == MAX_HEADER_LINES || !isTokenChar(b)) return BAD_HEADER;
            String line = readHeaderLine();
            if (line == null) return BAD_HEADER;
            int colon = line.indexOf(':');
            if (line.substring(0, colon).equalsIgnoreCase("content-length")) length = lengthOf(line.substring(colon + 1).trim());
            if (length < 0) return length;
        }
    }

    private static long lengthOf(String digits) {
        boolean valid = !digits.isEmpty() && digits.length() <= 18 && digits.chars().allMatch(c -> c >= '0' && c <= '9');
        return valid ? Long.parseLong(digits) : BAD_LENGTH;
    }

    /** A length's digits, between optional blanks, up to the end of its line. */
    private long readLength() throws IOException {
        long length = 0;
        int digits = 0;
        int b;
        while ((b = peek()) == ' ' || b == '\t') read();
        while ((b = peek()) >= '0' && b <= '9' && digits < 18) {
            length = length * 10 + (read() - '0');
            digits++;
        }
        while ((b = peek()) == ' ' || b == '\t' || b == '\r') read();
        if (b < 0) return END;
        if (b != '\n' || digits == 0) return BAD_LENGTH;
        read();
        return length;
    }

    /** `\r\n` or `\n`; false when a `\r` is followed by anything else. */
    private boolean readBlankLine() throws IOException {
        if (read() == '\n') return true;
        if (peek() != '\n') return false;
        read();
        return true;
    }

    /** A header line `name: value`, stopping (unread) at the first byte that cannot be part of one; null then. */
    private String readHeaderLine() throws IOException {
        StringBuilder line = new StringBuilder();
        boolean inName = true;
        while (line.length() < MAX_HEADER_LINE) {
            int b = peek();
            if (b < 0) return null;
            if (inName && b != ':' && !isTokenChar(b)) return null;
            read();
            if (b == '\n') return line.toString();
            if (b == ':') inName = false;
            if (b != '\r') line.append((char) b);
        }
        return null;
    }

    /** The body: {@code length} bytes, or fewer or more as its JSON says (see the class comment). */
    private Frame readBody(long length) throws IOException {
        Bytes body = new Bytes(length, maxBytes);
        JsonEnd json = new JsonEnd();
        while (body.size < length) {
            int b = read();
            if (b < 0) return null;
            body.add(b);
            if (json.accept(b)) return body.frame();
        }
        if (!json.unfinished()) return body.frame();
        int matched = 0;
        while (body.size < maxBytes) {
            int b = read();
            if (b < 0) return null;
            matched = match(matched, b);
            if (matched == LENGTH.length) {
                atHeader = true;
                return new Broken("the message's JSON does not end within its Content-Length of " + length + " bytes");
            }
            body.add(b);
            if (json.accept(b)) return body.frame();
        }
        return broken("a message longer than the limit of " + maxBytes + " bytes");
    }

    /** A byte array that grows as bytes arrive, up to a cap: a length announced is never allocated up front. */
    private static final class Bytes {
        private final int cap;
        private byte[] bytes;
        private int size;

        Bytes(long expected, int cap) {
            this.cap = cap;
            bytes = new byte[(int) Math.min(Math.max(expected, 16), Math.min(cap, 1 << 16))];
        }

        void add(int b) {
            if (size == bytes.length) bytes = Arrays.copyOf(bytes, (int) Math.min(2L * bytes.length, cap));
            bytes[size++] = (byte) b;
        }

        Body frame() {
            return new Body(size == bytes.length ? bytes : Arrays.copyOf(bytes, size));
        }
    }

    /**
     * Follows the structure of a JSON text byte by byte, to find where a top-level object or
     * array ends: brackets, strings and escapes (UTF-8 continuation bytes never look like them).
     */
    static final class JsonEnd {
        private boolean started;
        private boolean structured;
        private boolean inString;
        private boolean escaped;
        private int depth;
        private int deepest;

        /** Takes the next byte; true when it ends the top-level object or array. */
        boolean accept(int b) {
            if (!started) {
                if (isSpace(b)) return false;
                started = true;
                structured = b == '{' || b == '[';
                depth = structured ? 1 : 0;
                deepest = depth;
                return false;
            }
            if (!structured || depth == 0) return false;
            if (inString) {
                if (escaped) escaped = false;
                else if (b == '\\') escaped = true;
                else if (b == '"') inString = false;
                return false;
            }
            if (b == '"') inString = true;
            else if (b == '{' || b == '[') deepest = Math.max(deepest, ++depth);
            else if (b == '}' || b == ']') return --depth == 0;
            return false;
        }

        /** How deep objects and arrays have nested so far. */
        int deepest() {
            return deepest;
        }

        /** An object or array has begun and not ended. */
        boolean unfinished() {
            return structured && depth > 0;
        }
    }

    private static boolean isTokenChar(int b) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_';
    }

    private static boolean isSpace(int b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private int read() throws IOException {
        int b = peek();
        if (b >= 0) pos++;
        return b;
    }

    private int peek() throws IOException {
        if (pos == end) {
            int n = in.read(buffer, 0, buffer.length);
            if (n <= 0) return -1;
            pos = 0;
            end = n;
        }
        return buffer[pos] & 0xff;
    }
}
