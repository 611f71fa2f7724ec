package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * Copies between a tensor and a slice of a wider one, for concat. Over {@code rows} rows, forward
 * (args x, y) writes y[r, offset + i] = x[r, i] for i below inWidth, leaving the rest of y's row
 * to the other inputs; backward (args dy, dx) overwrites dx[r, i] = dy[r, offset + i]. A concat
 * along an axis that is not the last is this copy with rows = the product of the leading axes
 * and widths = the product of the axes from the concatenated one on.
 */
public record SliceCopy(String name, Dim rows, long inWidth, long outWidth, long offset, boolean backward) implements Kernel {

    public SliceCopy {
        if (inWidth < 0 || offset < 0 || offset + inWidth > outWidth) {
            throw new IllegalArgumentException("slice [" + offset + ", " + (offset + inWidth) + ") does not fit a row of " + outWidth);
        }
    }

    public List<String> args() { return backward ? List.of("dy", "dx") : List.of("x", "y"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] from = bufs[0], to = bufs[1];
        int in = Math.toIntExact(inWidth), wide = Math.toIntExact(outWidth), at = Math.toIntExact(offset);
        ParallelFor.range(rows.at(batch), in, r -> {
            if (backward) System.arraycopy(from, r * wide + at, to, r * in, in);
            else System.arraycopy(from, r * in, to, r * wide + at, in);
        });
    }

    public void opencl(C out) {
        out.kernel(name, backward ? "const dy" : "const x", backward ? "dx" : "y");
        out.line("const int i = get_global_id(0);");
        out.line("if (i >= %s * %d) return;", rows.c(), inWidth);
        out.line("const int r = i / %d, j = i %% %d;", inWidth, inWidth);
        out.line(backward ? "dx[i] = dy[r * %d + %d + j];" : "y[r * %d + %d + j] = x[i];", outWidth, offset);
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {rows.at(batch) * inWidth}; }

    public long[] local() { return WorkGroups.items(); }
}
