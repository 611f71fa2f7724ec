package dln.parse;

/**
 * ANTLR counts positions in code points; Java strings (and so {@link dln.diag.Source}) in UTF-16
 * chars. The two differ only after a character outside the Basic Multilingual Plane.
 */
final class Offsets {
    private final String text;
    private final boolean identity;

    Offsets(String text) {
        this.text = text;
        this.identity = text.codePoints().allMatch(Character::isBmpCodePoint);
    }

    int charIndex(int codePointIndex) {
        if (identity) return Math.min(codePointIndex, text.length());
        int cps = text.codePointCount(0, text.length());
        return text.offsetByCodePoints(0, Math.max(0, Math.min(codePointIndex, cps)));
    }
}
