package dln.op;

import dln.net.ArgSpec;
import static java.lang.Math.multiplyExact;

import dln.ir.Node;
import dln.kernel.Act;
import dln.kernel.ConvGeom;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.net.ArgSpec.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * `conv1d`, `conv2d`, `conv3d(filters, kernel, stride = 1, padding = 0, dilation = 1, bias = true, init?)`:
 * [C, S...] -> [filters, S'...] with S' from the sliding-window rule; weight [filters, C, kernel...].
 */
public record Conv(int dims, long filters, long[] kernel, long[] stride, long[] padding, long[] dilation, boolean bias)
        implements Op {
    private static final String[] DOCS = {
            "1-D convolution: [C, L] -> [filters, L']; weight [filters, C, k], bias [filters].",
            "2-D convolution: [C, H, W] -> [filters, H', W'], each out = floor((W - F_eff + 2P) / S) + 1; weight [filters, C, kh, kw], bias [filters].",
            "3-D convolution: [C, D, H, W] -> [filters, D', H', W']; weight [filters, C, kd, kh, kw], bias [filters]."};

    static final List<Signature> SIGNATURES = List.of(signature(1), signature(2), signature(3));

    private static Signature signature(int d) {
        return Signature.of("conv" + d + "d", DOCS[d - 1], 2,
                a -> new Conv(d, a.count("filters"), a.sizes("kernel"), a.sizes("stride"), a.sizes("padding"), a.sizes("dilation"), a.flag("bias")),
                ArgSpec.required("filters", Kind.COUNT), ArgSpec.sizes("kernel", Kind.SIZES, d, null, true),
                ArgSpec.sizes("stride", Kind.SIZES, d, Signature.fill(d, 1), false),
                ArgSpec.sizes("padding", Kind.PADDING, d, Signature.fill(d, 0), false),
                ArgSpec.sizes("dilation", Kind.SIZES, d, Signature.fill(d, 1), false), Signature.BIAS, Signature.INIT);
    }

    public String kind() { return "conv" + dims + "d"; }

    public Shape infer(List<Shape> in, Problems p) {
        Shape x = in.get(0);
        if (!SlidingWindow.checkRank(kind(), x, dims, p)) return null;
        long[] out = SlidingWindow.outputSizes(kind(), x, kernel, stride, padding, dilation, p);
        if (out == null) return null;
        return Shape.of(out).withFirst(filters);
    }

    public List<ParamSpec> params(List<Shape> in) {
        long[] w = new long[dims + 2];
        w[0] = filters;
        w[1] = in.get(0).dim(0);
        System.arraycopy(kernel, 0, w, 2, dims);
        List<ParamSpec> out = new ArrayList<>(List.of(ParamSpec.trained("weight", w)));
        if (bias) out.add(ParamSpec.trained("bias", filters));
        return out;
    }

    public long flops(List<Shape> in, Shape out) {
        long window = multiplyExact(in.get(0).dim(0), Shape.of(kernel).size());
        return multiplyExact(multiplyExact(2, window), out.size());
    }

    public void lower(Lowerer.Context c) {
        Shape in = c.inShape();
        ConvGeom geom = ConvGeom.of(in.dim(0), filters, in.drop(1).dims(), kernel, stride, padding, dilation);
        c.add(new Node.Conv(c.name(), c.x(), c.y(), geom, c.param("weight"), c.param("bias"), Act.LINEAR, 0f));
    }
}
