package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * The maxout gradient: dz (overwritten) is dy at each unit's maximum piece (the first largest, or
 * the first NaN) and 0 at the others, the subgradient that {@link MaxoutForward}'s choice of maximum
 * defines. One work-item per unit, which writes all of that unit's pieces.
 */
public record MaxoutBackward(String name, long units, long pieces) implements Kernel {

    public MaxoutBackward {
        if (units < 1 || pieces < 1) throw new IllegalArgumentException("maxout needs at least one unit and one piece");
    }

    public List<String> args() { return List.of("z", "dy", "dz"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] z = bufs[0], dy = bufs[1], dz = bufs[2];
        int p = Math.toIntExact(pieces);
        ParallelFor.range(batch * Math.toIntExact(units), p, i -> {
            int best = MaxoutForward.first(z, i * p, p);
            for (int k = 0; k < p; k++) dz[i * p + k] = k == best ? dy[i] : 0f;
        });
    }

    public void opencl(C out) {
        out.kernel(name, "const z", "const dy", "dz");
        out.line("const int i = get_global_id(0);");
        out.line("if (i >= batch * %d) return;", units);
        MaxoutForward.first(out, pieces);
        out.line("for (int k = 0; k < %d; k++) dz[i * %d + k] = k == best ? dy[i] : 0.0f;", pieces, pieces);
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {batch * units}; }

    public long[] local() { return WorkGroups.items(); }
}
