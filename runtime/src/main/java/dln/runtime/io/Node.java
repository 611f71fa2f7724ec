package dln.runtime.io;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A value parsed from a file header (a safetensors JSON header, a .npy Python-literal dict), with
 * the byte offset in the file where it starts, so that a wrong value can be reported where it is.
 */
sealed interface Node {
    long at();

    /** How the value is named in a message: "a string", "an object", ... */
    String kind();

    record Obj(Map<String, Node> members, long at) implements Node {
        public String kind() { return "an object"; }
    }

    record Arr(List<Node> items, long at) implements Node {
        public String kind() { return "a list"; }
    }

    record Str(String value, long at) implements Node {
        public String kind() { return "the string " + Json.quote(value); }
    }

    /** A number as written: its digits, sign, fraction and exponent. */
    record Num(String text, long at) implements Node {
        public String kind() { return "the number " + text; }
    }

    record Bool(boolean value, long at) implements Node {
        public String kind() { return String.valueOf(value); }
    }

    record Null(long at) implements Node {
        public String kind() { return "null"; }
    }

    /** The node as the type a format requires, or an error that says what it is instead. */
    static <T extends Node> T as(Class<T> type, Node node, Path file, String what) {
        if (type.isInstance(node)) return type.cast(node);
        String wanted = type == Obj.class ? "an object" : type == Arr.class ? "a list"
                : type == Str.class ? "a string" : type == Num.class ? "a number" : "true or false";
        throw new DataException(file, node.at(), what + " must be " + wanted + ", not " + node.kind());
    }

    /** The node as a count or offset: a non-negative integer that fits in a long. */
    static long count(Node node, Path file, String what) {
        String text = as(Num.class, node, file, what).text();
        if (text.matches("[0-9]{1,18}")) return Long.parseLong(text);
        throw new DataException(file, node.at(), what + " must be a whole number from 0 to 10^18, not " + text);
    }
}
