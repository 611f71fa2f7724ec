package dln.runtime.io;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON (RFC 8259) for safetensors headers: a strict reader of objects, arrays,
 * strings, numbers, true, false and null that reports every mistake at its byte offset, and the
 * string quoting the writer needs. Duplicate keys are an error.
 */
final class Json {
    private static final String SPACE = " \t\n\r";

    private Json() {}

    /** Parses a header that must be one object, optionally followed by whitespace. */
    static Node.Obj parseObject(Cursor c) {
        c.skip(SPACE);
        if (c.peek() != '{') throw c.error("expected '{' at the start of the JSON header, found " + c.found());
        Node.Obj header = (Node.Obj) value(c);
        c.skip(SPACE);
        if (!c.atEnd()) throw c.error("expected the end of the JSON header, found " + c.found());
        return header;
    }

    private static Node value(Cursor c) {
        c.skip(SPACE);
        long at = c.offset();
        return switch (c.peek()) {
            case '{' -> object(c);
            case '[' -> array(c);
            case '"' -> new Node.Str(string(c), at);
            case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> number(c);
            case 't', 'f', 'n' -> literal(c);
            default -> throw c.error("expected a JSON value, found " + c.found());
        };
    }

    private static Node.Obj object(Cursor c) {
        long at = c.offset();
        c.enter();
        c.expect('{', "");
        Map<String, Node> members = new LinkedHashMap<>();
        c.skip(SPACE);
        if (!c.eat('}')) {
            do {
                c.skip(SPACE);
                int keyAt = c.position();
                if (c.peek() != '"') throw c.error("expected a quoted key, found " + c.found());
                String key = string(c);
                if (members.containsKey(key)) throw c.error(keyAt, "the key " + quote(key) + " appears twice");
                c.skip(SPACE);
                c.expect(':', "after the key " + quote(key));
                members.put(key, value(c));
                c.skip(SPACE);
            } while (c.eat(','));
            c.expect('}', "or ',' in an object");
        }
        c.leave();
        return new Node.Obj(members, at);
    }

    private static Node.Arr array(Cursor c) {
        long at = c.offset();
        c.enter();
        c.expect('[', "");
        List<Node> items = new ArrayList<>();
        c.skip(SPACE);
        if (!c.eat(']')) {
            do {
                items.add(value(c));
                c.skip(SPACE);
            } while (c.eat(','));
            c.expect(']', "or ',' in a list");
        }
        c.leave();
        return new Node.Arr(items, at);
    }

    private static String string(Cursor c) {
        int open = c.position();
        c.expect('"', "");
        StringBuilder s = new StringBuilder();
        while (true) {
            int start = c.position();
            while (c.peek() >= 0x20 && c.peek() != '"' && c.peek() != '\\') c.next();
            s.append(c.decode(start, StandardCharsets.UTF_8));
            int b = c.peek();
            if (b < 0) throw c.error(open, "the string that starts here is not closed");
            if (b < 0x20) throw c.error("control characters must be escaped in a string, found " + c.found());
            c.next();
            if (b == '"') return s.toString();
            escape(c, s);
        }
    }

    private static void escape(Cursor c, StringBuilder s) {
        int b = c.next();
        switch (b) {
            case '"', '\\', '/' -> s.append((char) b);
            case 'b' -> s.append('\b');
            case 'f' -> s.append('\f');
            case 'n' -> s.append('\n');
            case 'r' -> s.append('\r');
            case 't' -> s.append('\t');
            case 'u' -> s.append(hex4(c));
            default -> throw c.error(c.position() - 2, "unknown escape '\\" + (b < 0 ? "" : (char) b) + "' in a string");
        }
    }

    private static char hex4(Cursor c) {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(c.peek(), 16);
            if (digit < 0) throw c.error("expected 4 hexadecimal digits after \\u, found " + c.found());
            c.next();
            value = value * 16 + digit;
        }
        return (char) value;
    }

    private static Node.Num number(Cursor c) {
        long at = c.offset();
        int start = c.position();
        c.eat('-');
        if (!c.eat('0')) digits(c, "in a number");
        if (c.eat('.')) digits(c, "after the decimal point");
        if (c.eat('e') || c.eat('E')) {
            if (!c.eat('+')) c.eat('-');
            digits(c, "in the exponent");
        }
        return new Node.Num(c.decode(start, StandardCharsets.US_ASCII), at);
    }

    private static void digits(Cursor c, String where) {
        if (!Character.isDigit(c.peek())) throw c.error("expected a digit " + where + ", found " + c.found());
        while (c.peek() >= '0' && c.peek() <= '9') c.next();
    }

    private static Node literal(Cursor c) {
        long at = c.offset();
        int start = c.position();
        String word = c.word("");
        return switch (word) {
            case "true" -> new Node.Bool(true, at);
            case "false" -> new Node.Bool(false, at);
            case "null" -> new Node.Null(at);
            default -> throw c.error(start, "expected a JSON value, found '" + word + "'");
        };
    }

    /** A JSON string literal, escaped as serde_json (the reference implementation) escapes it. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(ch < 0x20 ? String.format("\\u%04x", (int) ch) : String.valueOf(ch));
            }
        }
        return out.append('"').toString();
    }
}
