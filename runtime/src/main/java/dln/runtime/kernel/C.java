package dln.runtime.kernel;

import java.util.List;
import java.util.Locale;

/**
 * A writer of C-style source (OpenCL C here): lines, indentation by braces, and literals that
 * OpenCL accepts. Kernels write their source through it so that every kernel reads the same way.
 */
public final class C {
    private final StringBuilder out = new StringBuilder();
    private int depth;

    /** Appends one line, indented; a line ending in `{` opens a level, one starting with `}` closes it. */
    public C line(String text) {
        if (text.startsWith("}")) depth--;
        if (!text.isEmpty()) out.append("    ".repeat(Math.max(depth, 0))).append(text);
        out.append('\n');
        if (text.endsWith("{")) depth++;
        return this;
    }

    public C line(String format, Object... args) {
        return line(String.format(Locale.ROOT, format, args));
    }

    /** Appends source text as it is (library functions), followed by an empty line. */
    public C raw(String text) {
        out.append(text);
        if (!text.endsWith("\n")) out.append('\n');
        return this;
    }

    /**
     * The standard kernel opening: buffers in order, then `const int batch, const int step`. Each
     * buffer is a name, prefixed by {@code const } when read only and {@code restrict } when it
     * aliases no other.
     */
    public C kernel(String name, String... buffers) {
        StringBuilder sig = new StringBuilder("__kernel void ").append(name).append('(');
        for (String b : buffers) {
            boolean constant = b.startsWith("const "), restrict = b.replace("const ", "").startsWith("restrict ");
            String id = b.replace("const ", "").replace("restrict ", "");
            sig.append("__global ").append(constant ? "const " : "").append("float* ").append(restrict ? "restrict " : "").append(id).append(", ");
        }
        return line(sig.append("const int batch, const int step) {").toString());
    }

    /**
     * Four elements a work-item, for kernels that declared {@code q} (the work-item) and {@code n}:
     * the statements {@code quad} (vload4/vstore4 at q) when elements 4q to 4q + 3 all lie below n,
     * else {@code one} for each element i that is left (the last work-item's remainder); no else
     * when {@code one} is null (n a multiple of 4).
     */
    public C quads(List<String> quad, String one) {
        line("if (q * 4 + 4 <= n) {");
        quad.forEach(this::line);
        if (one != null) {
            line("} else {");
            line("for (int i = q * 4; i < n; i++) " + one);
        }
        return line("}");
    }

    /**
     * A loop over {@code index} from 0 below {@code count}, a constant (a block size that may be a
     * build option), which the compiler unrolls: so a block of registers can be an array indexed by
     * the loop. {@code body} is one statement, or several that are put in braces.
     */
    public C unrolled(String index, String count, String body) {
        boolean one = body.startsWith("{") || body.indexOf(';') == body.length() - 1;
        line("#pragma unroll");
        return line("for (int %s = 0; %s < %s; %s++) %s", index, index, count, index, one ? body : "{ " + body + " }");
    }

    /** A float literal OpenCL reads back exactly: `0.01f`, `1.0E-5f`. */
    public static String f(double value) {
        float v = (float) value;
        if (!Float.isFinite(v)) throw new IllegalArgumentException("not a finite float: " + value);
        return Float.toString(v) + "f";
    }

    @Override public String toString() { return out.toString(); }
}
