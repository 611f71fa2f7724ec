package dln.op;

import static java.lang.Math.multiplyExact;

import dln.diag.Diag;
import dln.ir.Gradients;
import dln.ir.Lowering;
import dln.ir.Node;
import dln.ir.Operand;
import dln.kernel.Act;
import dln.kernel.BiasAct;
import dln.kernel.BiasGrad;
import dln.kernel.ConvBackwardData;
import dln.kernel.ConvForward;
import dln.kernel.ConvGeom;
import dln.kernel.Dim;
import dln.kernel.PositionRows;
import dln.net.ArgSpec;
import dln.net.ArgSpec.Kind;
import dln.net.ParamSpec;
import dln.net.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * `conv_transpose1d`, `conv_transpose2d(filters, kernel, stride = 1, padding = 0, output_padding = 0,
 * dilation = 1, bias = true, init?)`, as PyTorch's nn.ConvTranspose1d/2d: [C, S...] -> [filters, S'...]
 * with S' = (S − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1; weight
 * [C, filters, kernel...], bias [filters]. It runs on the convolution kernels of
 * {@link ConvGeom#transposed}: a transposed convolution is a convolution's input gradient.
 */
public record ConvTranspose(int dims, long filters, long[] kernel, long[] stride, long[] padding, long[] outputPadding,
                            long[] dilation, boolean bias) implements Op {
    private static final String[] DOCS = {
            "1-D transposed convolution: [C, L] -> [filters, L'], L' = (L - 1)·S - 2P + D·(F - 1) + output_padding + 1; weight [C, filters, k], bias [filters].",
            "2-D transposed convolution: [C, H, W] -> [filters, H', W'], each out = (W - 1)·S - 2P + D·(F - 1) + output_padding + 1; weight [C, filters, kh, kw], bias [filters]."};

    static final List<Signature> SIGNATURES = List.of(signature(1), signature(2));

    private static Signature signature(int d) {
        return Signature.of("conv_transpose" + d + "d", DOCS[d - 1], 2,
                a -> new ConvTranspose(d, a.count("filters"), a.sizes("kernel"), a.sizes("stride"), a.sizes("padding"),
                        a.sizes("output_padding"), a.sizes("dilation"), a.flag("bias")),
                ArgSpec.required("filters", Kind.COUNT), ArgSpec.sizes("kernel", Kind.SIZES, d, null, true),
                ArgSpec.sizes("stride", Kind.SIZES, d, Signature.fill(d, 1), false),
                ArgSpec.sizes("padding", Kind.PADDING, d, Signature.fill(d, 0), false),
                ArgSpec.sizes("output_padding", Kind.PADDING, d, Signature.fill(d, 0), false),
                ArgSpec.sizes("dilation", Kind.SIZES, d, Signature.fill(d, 1), false), Signature.BIAS, Signature.INIT);
    }

    public String kind() { return "conv_transpose" + dims + "d"; }

    public Shape infer(List<Shape> in, Problems p) {
        Shape x = in.get(0);
        if (!SlidingWindow.checkRank(kind(), x, dims, p)) return null;
        for (int i = 0; i < dims; i++) {
            if (outputPadding[i] >= stride[i]) {
                // PyTorch also takes an output padding below the dilation; the convolution kernels need it below the stride
                p.report(Diag.ArgumentOutOfRange, "output_padding", kind(), "smaller than the stride (" + stride[i] + ")", outputPadding[i])
                 .help("output_padding adds up to stride - 1 positions at the end, to pick one of the output sizes that a stride-" + stride[i]
                         + " convolution maps back onto the input");
                return null;
            }
        }
        long[] out = SlidingWindow.transposedOutputSizes(kind(), x, kernel, stride, padding, outputPadding, dilation, p);
        if (out == null) return null;
        return Shape.of(out).withFirst(filters);
    }

    public List<ParamSpec> params(List<Shape> in) {
        long[] w = new long[dims + 2];
        w[0] = in.get(0).dim(0);
        w[1] = filters;
        System.arraycopy(kernel, 0, w, 2, dims);
        List<ParamSpec> out = new ArrayList<>(List.of(ParamSpec.trained("weight", w)));
        if (bias) out.add(ParamSpec.trained("bias", filters));
        return out;
    }

    /** Each input element times each output channel's kernel: 2·in·filters·kernel. */
    public long flops(List<Shape> in, Shape out) {
        return multiplyExact(multiplyExact(2, in.get(0).size()), multiplyExact(filters, Shape.of(kernel).size()));
    }

    public void lower(Lowerer.Context c) {
        Shape in = c.inShape();
        ConvGeom geom = ConvGeom.transposed(in.dim(0), filters, in.drop(1).dims(), kernel, stride, padding, outputPadding, dilation);
        Lowered rules = new Lowered(c.x(), c.y(), geom, c.param("weight"), c.param("bias"));
        c.add(new Node.Layer(c.name(), List.of(c.x()), c.y(), rules));
    }

    /**
     * The launches on the convolution {@code g} from y to x: forward its input gradient (then the
     * bias), the input gradient its forward, the weight gradient its weight gradient with the roles
     * of x and dy swapped.
     */
    record Lowered(Operand x, Operand y, ConvGeom g, String weight, String bias) implements Node.Rules {
        public void forward(Node.Layer node, Lowering out, boolean training) {
            if (PositionRows.pays(g)) {
                // the input's channels last, times the weights, folded back: the rows a strided convolution's input gradient takes
                String xRows = Node.channelsLast(out.plan(), out::launch, out.kernel(node, "x_rows"), "rows.in." + node.name(), g, x.buffer());
                Node.foldedProduct(out.plan(), out::launch, out.kernel(node, "fwd_rows"), out.kernel(node, "fwd"), node, g, xRows, weight, y.buffer());
            } else {
                out.launch(new ConvBackwardData(out.kernel(node, "fwd"), g), node.name(), x.buffer(), weight, y.buffer());
            }
            if (bias != null) {
                out.launch(new BiasAct(out.kernel(node, "bias"), Dim.batch(1), g.inChannels(), g.inVolume(), true, Act.LINEAR, 0f),
                        "+ bias", bias, y.buffer());
            }
        }

        public void backward(Node.Layer node, Gradients grads) {
            String dy = grads.dy(y);
            Node.weightGradient(grads, node, g, dy, x.buffer(), grads.param(weight), null);
            if (bias != null) {
                grads.launch(new BiasGrad(grads.kernel(node, "dbias"), Dim.batch(1), g.inChannels(), g.inVolume()), "db = Σ dy",
                        dy, grads.param(bias));
            }
            if (grads.needs(x)) {
                grads.write(node, x, dx -> grads.launch(new ConvForward(grads.kernel(node, "dx"), g), "dx", dy, weight, dx));
            }
        }
    }
}
