package dln.net;

import static java.lang.Math.addExact;
import static java.lang.Math.multiplyExact;

import dln.diag.Diag;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The built-in layers of the language contract, each a record implementing {@link Op}. */
public final class Layers {
    private Layers() {}

    /** Fully connected: [in] -> [units]; weight [units, in], bias [units]. */
    public record Dense(long units, boolean bias) implements Op {
        public String kind() { return "dense"; }

        public Shape infer(List<Shape> in, Problems p) {
            Shape x = in.get(0);
            if (x.rank() != 1) {
                var report = p.report(Diag.WrongInputRank, "dense", "a 1-D", x);
                if (x.rank() > 1) report.help("insert `-> flatten` before `" + p.call() + "`");
                return null;
            }
            return Shape.of(units);
        }

        public List<ParamSpec> params(List<Shape> in) {
            long inputs = in.get(0).dim(0);
            List<ParamSpec> out = new ArrayList<>(List.of(ParamSpec.trained("weight", units, inputs)));
            if (bias) out.add(ParamSpec.trained("bias", units));
            return out;
        }

        public long flops(List<Shape> in, Shape out) {
            return multiplyExact(2 * units, in.get(0).dim(0));
        }
    }

    /** Convolution over 1, 2 or 3 spatial dimensions: [C, S...] -> [filters, S'...]. */
    public record Conv(int dims, long filters, long[] kernel, long[] stride, long[] padding, long[] dilation, boolean bias)
            implements Op {
        public String kind() { return "conv" + dims + "d"; }

        public Shape infer(List<Shape> in, Problems p) {
            Shape x = in.get(0);
            if (!Windows.checkRank(kind(), x, dims, p)) return null;
            long[] out = Windows.outputSizes(kind(), x, kernel, stride, padding, dilation, p);
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
    }

    /** Max or average pooling over 1, 2 or 3 spatial dimensions; padding is at most half the window. */
    public record Pool(boolean max, int dims, long[] size, long[] stride, long[] padding) implements Op {
        public String kind() { return (max ? "maxpool" : "avgpool") + dims + "d"; }

        public Shape infer(List<Shape> in, Problems p) {
            Shape x = in.get(0);
            if (!Windows.checkRank(kind(), x, dims, p)) return null;
            for (int i = 0; i < dims; i++) {
                if (padding[i] > size[i] / 2) {
                    p.report(Diag.ArgumentOutOfRange, "padding", kind(), "at most half the window size (" + size[i] / 2 + ")", padding[i]);
                    return null;
                }
            }
            long[] ones = new long[dims];
            java.util.Arrays.fill(ones, 1);
            long[] out = Windows.outputSizes(kind(), x, size, stride, padding, ones, p);
            if (out == null) return null;
            return Shape.of(out).withFirst(x.dim(0));
        }

        public long flops(List<Shape> in, Shape out) {
            return multiplyExact(Shape.of(size).size(), out.size());
        }
    }

    /** Global max or average over every spatial position: [C, S...] -> [C]. */
    public record GlobalPool(boolean max) implements Op {
        public String kind() { return max ? "global_maxpool" : "global_avgpool"; }

        public Shape infer(List<Shape> in, Problems p) {
            Shape x = in.get(0);
            if (x.rank() < 2) {
                p.report(Diag.WrongInputRank, kind(), "a [channels, ...] (2-D or more)", x);
                return null;
            }
            return Shape.of(x.dim(0));
        }

        public long flops(List<Shape> in, Shape out) { return in.get(0).size(); }
    }

    public record Flatten() implements Op {
        public String kind() { return "flatten"; }

        public Shape infer(List<Shape> in, Problems p) { return Shape.of(in.get(0).size()); }

        public long flops(List<Shape> in, Shape out) { return 0; }
    }

    /** Drops a fraction {@code rate} of the units while training; the identity at inference. */
    public record Dropout(double rate) implements Op {
        public String kind() { return "dropout"; }

        public Shape infer(List<Shape> in, Problems p) { return in.get(0); }

        public long flops(List<Shape> in, Shape out) { return 0; }
    }

    /** Normalizes per channel ([C, ...]) or per feature ([F]): both are axis 0 of the example. */
    public record BatchNorm(double momentum, double eps) implements Op {
        public String kind() { return "batchnorm"; }

        public Shape infer(List<Shape> in, Problems p) { return in.get(0); }

        public List<ParamSpec> params(List<Shape> in) {
            long c = in.get(0).dim(0);
            return List.of(ParamSpec.trained("weight", c), ParamSpec.trained("bias", c),
                    ParamSpec.buffer("running_mean", c), ParamSpec.buffer("running_var", c));
        }

        public long flops(List<Shape> in, Shape out) { return multiplyExact(2, out.size()); }
    }

    /** Integer ids [T...] -> vectors [T..., dim]; weight [vocab, dim]. */
    public record Embedding(long vocab, long dim) implements Op {
        public String kind() { return "embedding"; }

        public Shape infer(List<Shape> in, Problems p) { return in.get(0).append(dim); }

        public List<ParamSpec> params(List<Shape> in) { return List.of(ParamSpec.trained("weight", vocab, dim)); }

        public long flops(List<Shape> in, Shape out) { return 0; }

        public boolean takesIntInput() { return true; }
    }

    /**
     * A simple RNN or an LSTM over [T, F]: the last hidden state [units], or every one [T, units].
     * PyTorch layout: weight_ih [G*H, F], weight_hh [G*H, H], bias_ih and bias_hh [G*H], with G = 4
     * gates (i, f, g, o) for an LSTM and G = 1 for an RNN.
     */
    public record Recurrent(boolean lstm, long units, boolean sequences, Activation.Fn activation) implements Op {
        public String kind() { return lstm ? "lstm" : "rnn"; }

        public Shape infer(List<Shape> in, Problems p) {
            Shape x = in.get(0);
            if (x.rank() != 2) {
                var report = p.report(Diag.WrongInputRank, kind(), "a 2-D [time, features]", x);
                if (x.rank() == 1) report.help("a sequence of " + x.dim(0) + " single values is written [" + x.dim(0) + ", 1]");
                return null;
            }
            return sequences ? Shape.of(x.dim(0), units) : Shape.of(units);
        }

        public List<ParamSpec> params(List<Shape> in) {
            long gates = multiplyExact(lstm ? 4 : 1, units);
            return List.of(ParamSpec.trained("weight_ih", gates, in.get(0).dim(1)),
                    ParamSpec.trained("weight_hh", gates, units),
                    ParamSpec.trained("bias_ih", gates), ParamSpec.trained("bias_hh", gates));
        }

        public long flops(List<Shape> in, Shape out) {
            long gates = multiplyExact(lstm ? 4 : 1, units);
            long perStep = multiplyExact(2 * gates, addExact(in.get(0).dim(1), units));
            return multiplyExact(in.get(0).dim(0), perStep);
        }
    }

    /** The maximum of {@code pieces} affine maps per unit: weight [units * pieces, in], row u * pieces + k. */
    public record Maxout(long units, long pieces) implements Op {
        public String kind() { return "maxout"; }

        public Shape infer(List<Shape> in, Problems p) {
            Shape x = in.get(0);
            if (x.rank() != 1) {
                var report = p.report(Diag.WrongInputRank, "maxout", "a 1-D", x);
                report.help("insert `-> flatten` before `" + p.call() + "`");
                return null;
            }
            return Shape.of(units);
        }

        public List<ParamSpec> params(List<Shape> in) {
            long rows = multiplyExact(units, pieces);
            return List.of(ParamSpec.trained("weight", rows, in.get(0).dim(0)), ParamSpec.trained("bias", rows));
        }

        public long flops(List<Shape> in, Shape out) {
            return multiplyExact(multiplyExact(2 * units, pieces), in.get(0).dim(0));
        }
    }

    /** Elementwise sum of two or more tensors of equal shape (residual connections). */
    public record Add() implements Op {
        public String kind() { return "add"; }

        public Shape infer(List<Shape> in, Problems p) {
            if (in.stream().distinct().count() > 1) {
                p.report(Diag.AddShapeMismatch, listShapes(in));
                return null;
            }
            return in.get(0);
        }

        public long flops(List<Shape> in, Shape out) { return multiplyExact(in.size() - 1L, out.size()); }
    }

    /** Joins tensors along the first axis; the other axes must agree. */
    public record Concat() implements Op {
        public String kind() { return "concat"; }

        public Shape infer(List<Shape> in, Problems p) {
            Shape first = in.get(0);
            long total = 0;
            for (Shape s : in) {
                if (s.rank() != first.rank() || !s.drop(1).equals(first.drop(1))) {
                    var report = p.report(Diag.ConcatShapeMismatch, listShapes(in));
                    if (in.stream().allMatch(t -> t.rank() >= 1)) report.help("flatten the inputs first to join them as vectors");
                    return null;
                }
                total = addExact(total, s.dim(0));
            }
            return first.with(0, total);
        }

        public long flops(List<Shape> in, Shape out) { return 0; }
    }

    /** An activation used as a layer. PReLU learns one negative slope per channel (axis 0). */
    public record Activation(Fn fn, double alpha) implements Op {
        public enum Fn {
            LINEAR, STEP, SIGMOID, TANH, RELU, LEAKY_RELU, PRELU, ELU, SOFTMAX;

            public String keyword() { return name().toLowerCase(Locale.ROOT); }
        }

        public String kind() { return fn.keyword(); }

        public Shape infer(List<Shape> in, Problems p) { return in.get(0); }

        public List<ParamSpec> params(List<Shape> in) {
            return fn == Fn.PRELU ? List.of(ParamSpec.trained("weight", in.get(0).dim(0))) : List.of();
        }

        public long flops(List<Shape> in, Shape out) {
            return switch (fn) {
                case LINEAR -> 0;
                case SOFTMAX -> multiplyExact(3, out.size());
                default -> out.size();
            };
        }
    }

    static String listShapes(List<Shape> shapes) {
        List<String> names = shapes.stream().map(Shape::toString).toList();
        if (names.size() == 1) return names.get(0);
        return names.subList(0, names.size() - 1).stream().collect(Collectors.joining(", "))
                + " and " + names.get(names.size() - 1);
    }
}
