package dln.net;

import java.util.Set;

/**
 * One argument of a built-in layer or train-setting function: its name, what it accepts, and its
 * default (null: required if {@code required}, else absent and derived by the layer, as a pool's
 * stride defaults to its size).
 */
public record ArgSpec(String name, Kind kind, Object defaultValue, boolean required, int dims, Set<String> words) {

    /** What an argument accepts, in words for messages. */
    public enum Kind {
        COUNT("a whole number of at least 1"),
        NONNEG_INT("a whole number of at least 0"),
        SIZES("a whole number of at least 1, or a list of them"),
        PADDING("a whole number of at least 0, or a list of them"),
        RATE("a number in [0, 1)"),
        FRACTION("a number in (0, 1)"),
        UNIT("a number in [0, 1]"),
        POSITIVE("a number greater than 0"),
        NONNEG("a number of at least 0"),
        REAL("a number"),
        BOOL("true or false"),
        NAME("a name"),
        INIT("an initializer (zeros, normal(std), uniform(limit), xavier, he_normal or he_uniform)"),
        WORD("one of"),
        STRING("a string"),
        STRINGS("a string, or a list of strings"),
        ANY("a value");

        public final String words;

        Kind(String words) { this.words = words; }
    }

    public static ArgSpec required(String name, Kind kind) {
        return new ArgSpec(name, kind, null, true, 0, Set.of());
    }

    public static ArgSpec optional(String name, Kind kind, Object defaultValue) {
        return new ArgSpec(name, kind, defaultValue, false, 0, Set.of());
    }

    public static ArgSpec word(String name, Object defaultValue, String... words) {
        return new ArgSpec(name, Kind.WORD, defaultValue, defaultValue == null, 0, Set.of(words));
    }

    public static ArgSpec sizes(String name, Kind kind, int dims, Object defaultValue, boolean required) {
        return new ArgSpec(name, kind, defaultValue, required, dims, Set.of());
    }

    public String expectation() {
        if (kind == Kind.WORD) return "one of " + String.join(", ", new java.util.TreeSet<>(words));
        if (dims > 1 && (kind == Kind.SIZES || kind == Kind.PADDING)) {
            return kind.words.replace("a list of them", "a list of " + dims);
        }
        return kind.words;
    }
}
