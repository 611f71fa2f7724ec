package dln.runtime.io;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the Python literal that a .npy header holds, as {@code ast.literal_eval} would for the
 * subset NumPy writes: dicts, tuples and lists (trailing commas allowed), quoted strings, whole
 * numbers (with the {@code L} suffix of Python 2), True, False and None. Tuples and lists both
 * become {@link Node.Arr}; a parenthesised single value without a comma is that value, as in Python.
 */
final class PyLiteral {
    private static final String SPACE = " \t\n\r\f";

    private final Cursor c;
    private final Charset charset;

    private PyLiteral(Cursor c, Charset charset) {
        this.c = c;
        this.charset = charset;
    }

    /** Parses the whole header as one dict; strings are decoded with {@code charset}. */
    static Node.Obj parseDict(Cursor c, Charset charset) {
        PyLiteral p = new PyLiteral(c, charset);
        c.skip(SPACE);
        if (c.peek() != '{') throw c.error("expected the header dict to start with '{', found " + c.found());
        Node.Obj dict = (Node.Obj) p.value();
        c.skip(SPACE);
        if (!c.atEnd()) throw c.error("expected the header to end after its dict, found " + c.found());
        return dict;
    }

    private Node value() {
        c.skip(SPACE);
        long at = c.offset();
        int b = c.peek();
        if (b == '{') return dict();
        if (b == '(' || b == '[') return sequence();
        if (b == '\'' || b == '"') return new Node.Str(string(), at);
        if (b == '-' || b >= '0' && b <= '9') return number();
        if (Character.isLetter(b) && b < 0x80) return name();
        throw c.error("expected a Python value, found " + c.found());
    }

    private Node.Obj dict() {
        long at = c.offset();
        c.enter();
        c.expect('{', "");
        Map<String, Node> members = new LinkedHashMap<>();
        while (true) {
            c.skip(SPACE);
            if (c.eat('}')) break;
            int keyAt = c.position();
            Node key = value();
            if (!(key instanceof Node.Str s)) throw c.error(keyAt, "the keys of the header dict must be strings, not " + key.kind());
            if (members.containsKey(s.value())) throw c.error(keyAt, "the key '" + s.value() + "' appears twice");
            c.skip(SPACE);
            c.expect(':', "after the key '" + s.value() + "'");
            members.put(s.value(), value());
            c.skip(SPACE);
            if (!c.eat(',')) {
                c.expect('}', "or ',' in the header dict");
                break;
            }
        }
        c.leave();
        return new Node.Obj(members, at);
    }

    private Node sequence() {
        long at = c.offset();
        c.enter();
        char close = c.next() == '(' ? ')' : ']';
        List<Node> items = new ArrayList<>();
        boolean comma = false;
        while (true) {
            c.skip(SPACE);
            if (c.eat(close)) break;
            items.add(value());
            c.skip(SPACE);
            comma = c.eat(',');
            if (!comma) {
                c.expect(close, "or ',' in a " + (close == ')' ? "tuple" : "list"));
                break;
            }
        }
        c.leave();
        boolean parenthesised = close == ')' && items.size() == 1 && !comma;
        return parenthesised ? items.get(0) : new Node.Arr(items, at);
    }

    private String string() {
        int open = c.position();
        int quote = c.next();
        StringBuilder s = new StringBuilder();
        while (true) {
            int start = c.position();
            while (c.peek() >= 0 && c.peek() != quote && c.peek() != '\\' && c.peek() != '\n') c.next();
            s.append(c.decode(start, charset));
            int b = c.next();
            if (b < 0 || b == '\n') throw c.error(open, "the string that starts here is not closed");
            if (b == quote) return s.toString();
            escape(s);
        }
    }

    private void escape(StringBuilder s) {
        int b = c.next();
        switch (b) {
            case '\\', '\'', '"' -> s.append((char) b);
            case 'n' -> s.append('\n');
            case 't' -> s.append('\t');
            case 'r' -> s.append('\r');
            case 'x' -> s.append((char) hex(2));
            case 'u' -> s.append((char) hex(4));
            case -1 -> throw c.error("the header ends inside a string");
            default -> s.append('\\').append((char) b); // Python keeps unknown escapes as written
        }
    }

    private int hex(int digits) {
        int value = 0;
        for (int i = 0; i < digits; i++) {
            int digit = Character.digit(c.peek(), 16);
            if (digit < 0) throw c.error("expected " + digits + " hexadecimal digits in an escape, found " + c.found());
            c.next();
            value = value * 16 + digit;
        }
        return value;
    }

    private Node.Num number() {
        long at = c.offset();
        int start = c.position();
        c.eat('-');
        String digits = c.word(".");
        String text = c.decode(start, charset);
        if (!digits.matches("[0-9]+[lL]?")) throw c.error(start, "expected a whole number, found '" + text + "'");
        return new Node.Num(text.replaceFirst("[lL]$", ""), at);
    }

    private Node name() {
        long at = c.offset();
        int start = c.position();
        String word = c.word("_");
        return switch (word) {
            case "True" -> new Node.Bool(true, at);
            case "False" -> new Node.Bool(false, at);
            case "None" -> new Node.Null(at);
            case "u", "U" -> c.peek() == '\'' || c.peek() == '"' ? new Node.Str(string(), at) : unknown(start, word);
            default -> unknown(start, word);
        };
    }

    private Node unknown(int start, String word) {
        throw c.error(start, "expected a Python value, found the name '" + word + "'");
    }
}
