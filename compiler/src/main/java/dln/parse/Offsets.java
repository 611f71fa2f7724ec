package dln.parse;

/**
 * ANTLR counts positions in code points; Java strings (and so {@link dln.diag.Source}) in UTF-16
 * chars. The two differ only after a character outside the Basic Multilingual Plane. The table
 * from code-point index to char index is built once, so that each lookup takes constant time.
 */
final class Offsets {
    private final int length;
    /** Char index of each code-point index, or null when every character is in the BMP. */
    private final int[] charIndex;

    Offsets(String text) {
        this.length = text.length();
        this.charIndex = text.codePoints().allMatch(Character::isBmpCodePoint) ? null : table(text);
    }

    int charIndex(int codePointIndex) {
        if (charIndex == null) return Math.max(0, Math.min(codePointIndex, length));
        return charIndex[Math.max(0, Math.min(codePointIndex, charIndex.length - 1))];
    }

    /** One entry per code point, and one more for the end of the text. */
    private static int[] table(String text) {
        int[] out = new int[text.codePointCount(0, text.length()) + 1];
        int cp = 0;
        for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) out[cp++] = i;
        out[cp] = text.length();
        return out;
    }
}
