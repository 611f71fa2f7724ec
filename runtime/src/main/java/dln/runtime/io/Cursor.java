package dln.runtime.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A read position in a header held in memory, for the header parsers. Errors name the file and the
 * absolute byte offset in it, however far into the file the header starts.
 */
final class Cursor {
    private static final int MAX_DEPTH = 64;

    final Path file;
    private final byte[] bytes;
    private final long base;
    private int pos;
    private int depth;

    /** A cursor over {@code bytes}, which the file holds from byte {@code base} on. */
    Cursor(Path file, byte[] bytes, long base) {
        this.file = file;
        this.bytes = bytes;
        this.base = base;
    }

    /** The absolute file offset of the current byte. */
    long offset() { return base + pos; }

    boolean atEnd() { return pos == bytes.length; }

    /** The current byte (0 to 255), or -1 at the end. */
    int peek() { return atEnd() ? -1 : bytes[pos] & 0xff; }

    int next() {
        int b = peek();
        if (b >= 0) pos++;
        return b;
    }

    /** Consumes the byte {@code c} if it is next. */
    boolean eat(char c) {
        if (peek() != c) return false;
        pos++;
        return true;
    }

    void expect(char c, String where) {
        if (!eat(c)) throw error("expected '" + c + "' " + where + ", found " + found());
    }

    void skip(String whitespace) {
        while (!atEnd() && whitespace.indexOf(peek()) >= 0) pos++;
    }

    /** Consumes and returns the run of bytes that are ASCII letters, digits or {@code extra}. */
    String word(String extra) {
        int start = pos;
        while (Character.isLetterOrDigit(peek()) && peek() < 0x80 || peek() >= 0 && extra.indexOf(peek()) >= 0) pos++;
        return new String(bytes, start, pos - start, StandardCharsets.US_ASCII);
    }

    /** Decodes {@code bytes[from, pos)} strictly: an invalid sequence is an error, not a '?'. */
    String decode(int from, Charset charset) {
        try {
            return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, pos - from)).toString();
        } catch (CharacterCodingException e) {
            throw error(from, "the text is not valid " + charset.name());
        }
    }

    int position() { return pos; }

    /** Enters a nested list or object; deep nesting is refused rather than overflowing the stack. */
    void enter() {
        if (++depth > MAX_DEPTH) throw error("values nested more than " + MAX_DEPTH + " deep");
    }

    void leave() { depth--; }

    /** What is at the cursor, for an error message. */
    String found() {
        int b = peek();
        if (b < 0) return "the end of the header";
        if (b >= 0x20 && b < 0x7f) return "'" + (char) b + "'";
        return String.format("the byte 0x%02x", b);
    }

    DataException error(String message) { return error(pos, message); }

    DataException error(int index, String message) { return new DataException(file, base + index, message); }
}
