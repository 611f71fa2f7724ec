package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * Maxout: y[n, u] = max over k of z[n, u·pieces + k], from z [N, units·pieces] (the pieces of a
 * unit adjacent, as a dense layer of units·pieces outputs lays them out). One work-item per output.
 */
public record MaxoutForward(String name, long units, long pieces) implements Kernel {

    public MaxoutForward {
        if (units < 1 || pieces < 1) throw new IllegalArgumentException("maxout needs at least one unit and one piece");
    }

    public List<String> args() { return List.of("z", "y"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] z = bufs[0], y = bufs[1];
        int p = Math.toIntExact(pieces);
        ParallelFor.range(batch * Math.toIntExact(units), p, i -> y[i] = z[i * p + first(z, i * p, p)]);
    }

    /**
     * The index of the maximum among z[at .. at + pieces): the first largest, or the first NaN, as
     * {@code torch.max(z, dim)} picks it (a NaN ends its scan), so that a unit with a NaN piece is NaN.
     */
    static int first(float[] z, int at, int pieces) {
        int best = 0;
        for (int k = 1; k < pieces && !Float.isNaN(z[at + best]); k++) if (PoolWindows.replaces(z[at + k], z[at + best])) best = k;
        return best;
    }

    /** {@link #first} as C: declares {@code best}, the piece of unit i (z's pieces at i · pieces). */
    static void first(C out, long pieces) {
        out.line("int best = 0;");
        out.line("for (int k = 1; k < %d && !isnan(z[i * %d + best]); k++) if %s best = k;", pieces, pieces,
                PoolWindows.replaces("z[i * %d + k]".formatted(pieces), "z[i * %d + best]".formatted(pieces)));
    }

    public void opencl(C out) {
        out.kernel(name, "const z", "y");
        out.line("const int i = get_global_id(0);");
        out.line("if (i >= batch * %d) return;", units);
        first(out, pieces);
        out.line("y[i] = z[i * %d + best];", pieces);
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {batch * units}; }

    public long[] local() { return WorkGroups.items(); }
}
