package dln.emit;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Java identifiers for names that come from .dln files. Names are mapped away from Java's keywords,
 * literals and restricted identifiers, made valid, and kept unique within one scope.
 */
final class JavaNames {
    static final Set<String> RESERVED = Set.of("abstract", "assert", "boolean", "break", "byte", "case", "catch", "char",
            "class", "const", "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally", "float",
            "for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package",
            "private", "protected", "public", "return", "short", "static", "strictfp", "super", "switch", "synchronized",
            "this", "throw", "throws", "transient", "try", "void", "volatile", "while", "true", "false", "null", "_",
            "var", "yield", "record", "sealed", "permits", "non-sealed", "exports", "module", "open", "opens", "provides",
            "requires", "to", "transitive", "uses", "with");

    private final Set<String> used = new HashSet<>();

    JavaNames(String... taken) {
        for (String t : taken) used.add(t);
    }

    /** A fresh identifier for {@code name}: invalid characters become `_`, reserved words get a trailing `_`. */
    String of(String name) {
        String base = valid(name);
        String id = base;
        for (int i = 2; !used.add(id); i++) id = base + "_" + i;
        return id;
    }

    /** The same, upper-cased, for constants. */
    String constant(String name) {
        return of(valid(name).toUpperCase(Locale.ROOT));
    }

    static String valid(String name) {
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) out.append(c < 128 && Character.isLetterOrDigit(c) || c == '_' ? c : '_');
        if (out.isEmpty() || Character.isDigit(out.charAt(0))) out.insert(0, '_');
        String s = out.toString();
        return RESERVED.contains(s) ? s + "_" : s;
    }

    /** Text safe inside a Java comment: no line breaks, no comment end, no Unicode escapes (javac reads backslash-u even in comments). */
    static String comment(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '\\') out.append("\\\\");
            else if (c < 32 || c == 127) out.append(' ');
            else out.append(c);
        }
        return out.toString().replace("*/", "* /");
    }
}
