package dln.onnx;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Names from an ONNX file made safe: {@link #identifier} turns any string into a DLN name
 * ([A-Za-z_][A-Za-z0-9_]*, bounded), and {@link #quote} shows one in a message or a comment with
 * control characters escaped and its length bounded, so nothing from the file reaches the
 * terminal or the .dln file raw.
 */
final class ImportNames {
    private static final int MAX_NAME = 48;
    private static final int MAX_QUOTED = 80;
    /** Layers without parameters keep the compiler's automatic names (`relu_1`): an explicit name may not take one. */
    private static final Pattern AUTOMATIC = Pattern.compile(
            "(relu|sigmoid|tanh|softmax|leaky_relu|elu|gelu|silu|flatten|add|concat|dropout|"
            + "(max|avg)pool[123]d|global_(avg|max)pool)_[0-9]+");

    private final Set<String> taken = new HashSet<>();

    /** A name not given before by this set, from {@code raw} or, when nothing of it is usable, {@code fallback}. */
    String unique(String raw, String fallback) {
        String base = identifier(raw);
        if (base.isEmpty()) base = fallback;
        if (AUTOMATIC.matcher(base).matches()) base = base + "_";
        String name = base;
        for (int k = 2; !taken.add(name); k++) name = base + "_" + k;
        return name;
    }

    /** Marks {@code name} as given. */
    void reserve(String name) {
        taken.add(name);
    }

    /** {@code raw} with every run of other characters replaced by one `_`, trimmed of `_`, not starting with a digit. */
    static String identifier(String raw) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < raw.length() && b.length() < MAX_NAME; i++) {
            char c = raw.charAt(i);
            boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '_');
            if (ok) b.append(c);
            else if (b.length() > 0 && b.charAt(b.length() - 1) != '_') b.append('_');
        }
        String s = b.toString().replaceAll("^_+|_+$", "").replaceAll("__+", "_");
        if (!s.isEmpty() && Character.isDigit(s.charAt(0))) s = "v" + s;
        return s;
    }

    /** {@code raw} in backquotes for a message, control and non-ASCII characters as \\uXXXX, cut at 80 characters. */
    static String quote(String raw) {
        StringBuilder b = new StringBuilder("`");
        for (int i = 0; i < raw.length(); i++) {
            if (b.length() > MAX_QUOTED) {
                b.append("...");
                break;
            }
            char c = raw.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '`') b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('`').toString();
    }
}
