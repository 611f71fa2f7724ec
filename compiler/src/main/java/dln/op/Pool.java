package dln.op;

import dln.net.ArgSpec;
import static java.lang.Math.multiplyExact;

import dln.diag.Diag;
import dln.ir.Node;
import dln.kernel.PoolGeom;
import dln.net.Shape;
import dln.net.ArgSpec.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * `maxpool1d..3d`, `avgpool1d..3d(size, stride = size, padding = 0)`: max or average over each
 * window, [C, S...] -> [C, S'...]; padding is at most half the window.
 */
public record Pool(boolean max, int dims, long[] size, long[] stride, long[] padding) implements Op {
    private static final String[] SHAPES = {"[C, L] -> [C, L']", "[C, H, W] -> [C, H', W']", "[C, D, H, W] -> [C, D', H', W']"};

    static final List<Signature> SIGNATURES = signatures();

    private static List<Signature> signatures() {
        List<Signature> out = new ArrayList<>();
        for (int dims = 1; dims <= 3; dims++) {
            int d = dims;
            for (boolean max : new boolean[] {true, false}) {
                String shapes = SHAPES[d - 1];
                out.add(Signature.of((max ? "maxpool" : "avgpool") + d + "d",
                        (max ? "Maximum" : "Average") + " over windows: " + shapes + " by the window formula; stride defaults to size.", 1,
                        a -> new Pool(max, d, a.sizes("size"), a.has("stride") ? a.sizes("stride") : a.sizes("size"), a.sizes("padding")),
                        ArgSpec.sizes("size", Kind.SIZES, d, null, true), ArgSpec.sizes("stride", Kind.SIZES, d, null, false),
                        ArgSpec.sizes("padding", Kind.PADDING, d, Signature.fill(d, 0), false)));
            }
        }
        return List.copyOf(out);
    }

    public String kind() { return (max ? "maxpool" : "avgpool") + dims + "d"; }

    public Shape infer(List<Shape> in, Problems p) {
        Shape x = in.get(0);
        if (!SlidingWindow.checkRank(kind(), x, dims, p)) return null;
        for (int i = 0; i < dims; i++) {
            if (padding[i] > size[i] / 2) {
                p.report(Diag.ArgumentOutOfRange, "padding", kind(), "at most half the window size (" + size[i] / 2 + ")", padding[i]);
                return null;
            }
        }
        long[] out = SlidingWindow.outputSizes(kind(), x, size, stride, padding, Signature.fill(dims, 1), p);
        if (out == null) return null;
        return Shape.of(out).withFirst(x.dim(0));
    }

    public long flops(List<Shape> in, Shape out) {
        return multiplyExact(Shape.of(size).size(), out.size());
    }

    public void lower(Lowerer.Context c) {
        Shape in = c.inShape();
        c.add(new Node.Pool(c.name(), c.x(), c.y(), PoolGeom.of(in.dim(0), in.drop(1).dims(), size, stride, padding), max));
    }
}
