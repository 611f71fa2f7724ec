package dln.kernel;

import dln.runtime.kernel.C;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The vectors a register-blocked kernel keeps along one dimension of its block: two float16 when
 * the dimension has 32 or more elements, else one vector as wide as fits (down to a plain float),
 * so that a block moved back to end at the last element never starts before the first.
 */
record Lanes(int vectors, int width) {
    static final int WIDEST = 16;

    static Lanes of(long size) {
        if (size >= 2 * WIDEST) return new Lanes(2, WIDEST);
        return new Lanes(1, (int) Math.max(1, Long.highestOneBit(Math.min(size, WIDEST))));
    }

    int cols() { return vectors * width; }

    String type() { return width == 1 ? "float" : "float" + width; }

    /** Vector x of the block at pointer p (x counts vectors). */
    String load(int x, String p) { return width == 1 ? p + "[" + x + "]" : "vload%d(%d, %s)".formatted(width, x, p); }

    String store(String value, int x, String p) {
        return width == 1 ? p + "[" + x + "] = " + value : "vstore%d(%s, %d, %s)".formatted(width, value, x, p);
    }

    /** Emits {@code float function(const floatW v)}: the sum of the lanes, halving the vector each step. */
    static void sum(C out, String function, int width) {
        out.line("float %s(const %s v) {", function, width == 1 ? "float" : "float" + width);
        String last = "v";
        for (int w = width; w > 1; w /= 2) {
            String next = "h" + w / 2;
            out.line(w == 2 ? "const float %s = %s.x + %s.y;".formatted(next, last, last)
                    : "const float%d %s = %s.lo + %s.hi;".formatted(w / 2, next, last, last));
            last = next;
        }
        out.line("return %s;", last);
        out.line("}");
        out.line("");
    }

    /**
     * Statements storing the first {@code count} lanes of {@code vectors} (each {@code width} lanes,
     * lane i of the whole at vector i / width) to {@code at[0..count)}: vectors of 16, 8, 4, 2 and
     * 1 lanes, the largest that fit (a row of 10 as 8 + 2, of 14 as 8 + 4 + 2), none across two vectors.
     */
    static String storeFirst(java.util.List<String> vectors, int width, long count, String at) {
        StringBuilder b = new StringBuilder();
        int done = 0;
        for (int piece = Math.min(width, WIDEST); piece >= 1; piece /= 2) {
            while (count - done >= piece) {
                String v = vectors.get(done / width);
                int lane = done % width;
                if (width == 1) b.append("%s[%d] = %s; ".formatted(at, done, v));
                else if (piece == 1) b.append("%s[%d] = %s.s%x; ".formatted(at, done, v, lane));
                else if (piece == width) b.append("vstore%d(%s, 0, %s + %d); ".formatted(piece, v, at, done));
                else {
                    StringBuilder sw = new StringBuilder();
                    for (int j = 0; j < piece; j++) sw.append(Integer.toHexString(lane + j));
                    b.append("vstore%d(%s.s%s, 0, %s + %d); ".formatted(piece, v, sw, at, done));
                }
                done += piece;
            }
        }
        return b.toString().trim();
    }

    /** count parts joined by spaces: one line of unrolled statements. */
    static String each(int count, IntFunction<String> part) {
        return IntStream.range(0, count).mapToObj(part).collect(Collectors.joining(" "));
    }
}
