package dln.op;

import static java.lang.Math.addExact;
import static java.lang.Math.multiplyExact;

import dln.diag.Diag;
import dln.ir.Gradients;
import dln.ir.Lowering;
import dln.ir.Node;
import dln.ir.Operand;
import dln.ir.Plan;
import dln.kernel.Act;
import dln.kernel.AttentionKernels;
import dln.kernel.BiasGrad;
import dln.kernel.Dim;
import dln.kernel.Epilogue;
import dln.kernel.Gemm;
import dln.net.ArgSpec.Kind;
import dln.net.ArgSpec;
import dln.net.Initializer;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.runtime.Init;
import java.util.List;
import java.util.stream.LongStream;

/**
 * `attention(heads, causal = false)`: multi-head self-attention over a sequence [T, D] -> [T, D],
 * as PyTorch's nn.MultiheadAttention(D, heads, batch_first=True)(x, x, x)[0]: the queries, keys and
 * values are one product x·in_proj_weightᵀ + in_proj_bias ([3D, D], [3D]), each head attends with
 * softmax(q·kᵀ/√(D/heads)), and out_proj ([D, D] and [D]) mixes the heads. With `causal: true`
 * step i attends to steps 0..i only (PyTorch's attn_mask of −∞ above the diagonal).
 */
public record Attention(long heads, boolean causal) implements Op {
    static final List<Signature> SIGNATURES = List.of(Signature.of("attention",
            "Multi-head self-attention: [T, D] -> [T, D], as nn.MultiheadAttention(D, heads, batch_first=True)(x, x, x); in_proj_weight [3D, D], in_proj_bias [3D], out_proj.weight [D, D], out_proj.bias [D]; `causal: true` lets step i see steps 0..i only.",
            1, a -> new Attention(a.count("heads"), a.flag("causal")),
            ArgSpec.required("heads", Kind.COUNT), ArgSpec.optional("causal", Kind.BOOL, false), Signature.INIT));

    public String kind() { return "attention"; }

    public Shape infer(List<Shape> in, Problems p) {
        Shape x = in.get(0);
        if (x.rank() != 2) {
            var report = p.report(Diag.WrongInputRank, kind(), "a 2-D [time, features]", x);
            if (x.rank() == 1) report.help("a sequence of " + x.dim(0) + " single values is written [" + x.dim(0) + ", 1]");
            return null;
        }
        long width = x.dim(1);
        if (width % heads != 0) {
            p.report(Diag.ArgumentsDoNotFitInput, "`" + p.call() + "`", "splits the width D into " + heads + " heads of D / " + heads + " features, so D must divide by " + heads, x)
                    .help("use a number of heads that divides " + width + " (" + divisors(width) + "), or make the width a multiple of " + heads);
            return null;
        }
        return x;
    }

    private static String divisors(long n) {
        return String.join(", ", LongStream.rangeClosed(1, Math.min(n, 64)).filter(k -> n % k == 0).mapToObj(Long::toString).toList());
    }

    public List<ParamSpec> params(List<Shape> in) {
        long d = in.get(0).dim(1), three = multiplyExact(3, d);
        return List.of(ParamSpec.trained("in_proj_weight", three, d), ParamSpec.trained("in_proj_bias", three),
                ParamSpec.trained("out_proj.weight", d, d), ParamSpec.trained("out_proj.bias", d));
    }

    /**
     * As nn.MultiheadAttention: in_proj_weight xavier-uniform over the whole [3D, D], out_proj.weight
     * as a Linear's (uniform in ±1/√D), both biases zero. A layer's `init:` replaces the two weights.
     */
    public Init init(ParamSpec param, List<ParamSpec> all, Initializer own, Initializer fallback) {
        long[] shape = param.shape().dims();
        if (param.name().endsWith("bias")) return Inits.constant("zeros", 0);
        if (own != null) return new Init(own.kind(), own.scale(), shape[1], shape[0]);
        return param.name().equals("in_proj_weight") ? new Init("xavier", 1, shape[1], shape[0]) : new Init("torch", 0, shape[1], 0);
    }

    /** 8·T·D² for the projections, 4·T²·D for the scores and their mix. */
    public long flops(List<Shape> in, Shape out) {
        long t = out.dim(0), d = out.dim(1);
        return addExact(multiplyExact(8 * t, multiplyExact(d, d)), multiplyExact(4 * t, multiplyExact(t, d)));
    }

    public void lower(Lowerer.Context c) {
        Shape in = c.inShape();
        var g = new AttentionKernels.Geometry(in.dim(0), in.dim(1), heads, causal);
        c.add(new Node.Layer(c.name(), List.of(c.x()), c.y(), new Lowered(c.name(), c.x(), c.y(), g,
                c.param("in_proj_weight"), c.param("in_proj_bias"), c.param("out_proj.weight"), c.param("out_proj.bias"))));
    }

    /** The projections are products; the scores, their softmax and the mix of values are {@link AttentionKernels}. */
    record Lowered(String name, Operand x, Operand y, AttentionKernels.Geometry geom, String inWeight, String inBias, String outWeight, String outBias)
            implements Node.Rules {
        private static final Epilogue PLUS_BIAS = new Epilogue(true, Act.LINEAR, 0f);

        public void forward(Node.Layer node, Lowering out, boolean training) {
            String[] s = saved(out.plan());
            int d = (int) geom.width();
            Dim steps = Dim.batch(geom.time());
            out.launch(new Gemm(out.kernel(node, "qkv"), false, true, steps, Dim.of(3L * d), Dim.of(d), d, d, 3 * d, 1f, 0f, PLUS_BIAS),
                    name + ": q, k, v = x·in_proj_weightᵀ + in_proj_bias", x.buffer(), inWeight, s[0], inBias);
            out.launch(new AttentionKernels.Scores(out.kernel(node, "scores"), geom), "p = softmax(q·kᵀ/√dh)" + (geom.causal() ? ", causal" : ""), s[0], s[1]);
            out.launch(new AttentionKernels.Mix(out.kernel(node, "mix"), geom), "o = p·v", s[1], s[0], s[2]);
            out.launch(new Gemm(out.kernel(node, "out"), false, true, steps, Dim.of(d), Dim.of(d), d, d, d, 1f, 0f, PLUS_BIAS),
                    "y = o·out_proj.weightᵀ + out_proj.bias", s[2], outWeight, y.buffer(), outBias);
        }

        public void backward(Node.Layer node, Gradients g) {
            String[] s = saved(g.plan());
            int d = (int) geom.width();
            Dim steps = Dim.batch(geom.time());
            String dy = g.dy(y), dout = g.plan().work("grad.attn.o:" + name, geom.time() * d);
            String ds = g.plan().work("grad.attn.scores:" + name, geom.heads() * geom.time() * geom.time());
            String dqkv = g.plan().work("grad.attn.qkv:" + name, geom.time() * 3 * d);
            g.launch(new Gemm(g.kernel(node, "dout_weight"), true, false, Dim.of(d), Dim.of(d), steps, d, d, d, 1f, 0f), "dW_out = dyᵀ·o", dy, s[2], g.param(outWeight));
            g.launch(new BiasGrad(g.kernel(node, "dout_bias"), steps, d, 1), "db_out = Σ dy", dy, g.param(outBias));
            g.launch(new Gemm(g.kernel(node, "do"), false, false, steps, Dim.of(d), Dim.of(d), d, d, d, 1f, 0f), "do = dy·W_out", dy, outWeight, dout);
            g.launch(new AttentionKernels.BackwardScores(g.kernel(node, "dscores"), geom), "ds", s[1], s[0], dout, ds);
            g.launch(new AttentionKernels.BackwardQkv(g.kernel(node, "dqkv"), geom), "dq, dk, dv", s[1], ds, s[0], dout, dqkv);
            g.launch(new Gemm(g.kernel(node, "din_weight"), true, false, Dim.of(3L * d), Dim.of(d), steps, 3 * d, d, d, 1f, 0f), "dW_in = dqkvᵀ·x", dqkv, x.buffer(), g.param(inWeight));
            g.launch(new BiasGrad(g.kernel(node, "din_bias"), steps, 3L * d, 1), "db_in = Σ dqkv", dqkv, g.param(inBias));
            if (g.needs(x)) {
                boolean add = g.accumulates(x);
                g.launch(new Gemm(g.kernel(node, add ? "dx_add" : "dx"), false, false, steps, Dim.of(d), Dim.of(3L * d), 3 * d, d, d, 1f, add ? 1f : 0f),
                        "dx = dqkv·W_in", dqkv, inWeight, g.dy(x));
            }
        }

        /** q, k, v [T, 3D], the attention weights [heads, T, T] and the heads' outputs [T, D], kept for the backward pass. */
        private String[] saved(Plan plan) {
            long t = geom.time(), d = geom.width();
            return new String[] {plan.work("saved.qkv:" + name, t * 3 * d), plan.work("saved.p:" + name, geom.heads() * t * t), plan.work("saved.o:" + name, t * d)};
        }
    }
}
