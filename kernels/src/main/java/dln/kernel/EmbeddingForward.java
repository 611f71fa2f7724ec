package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * y[n, t] = weight[ids[n, t]]: ids [N, tokens] are floats holding integers, weight is [vocab, dim]
 * and y [N, tokens, dim]. An id outside [0, vocab) (or NaN) gives a row of zeros, and
 * {@link EmbeddingBackward} gives it no gradient: a bad token is inert instead of a crash or a read
 * out of bounds. A fractional id is truncated. One work-item per element of y.
 */
public record EmbeddingForward(String name, long tokens, long vocab, long dim) implements Kernel {

    public EmbeddingForward {
        if (tokens < 1 || vocab < 1 || dim < 1) throw new IllegalArgumentException("embedding sizes must be at least 1");
    }

    public List<String> args() { return List.of("ids", "weight", "y"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] ids = bufs[0], weight = bufs[1], y = bufs[2];
        int d = Math.toIntExact(dim);
        ParallelFor.range(batch * Math.toIntExact(tokens), d, token -> {
            float id = ids[token];
            boolean known = id >= 0 && id < vocab;
            for (int j = 0; j < d; j++) y[token * d + j] = known ? weight[(int) id * d + j] : 0f;
        });
    }

    public void opencl(C out) {
        out.kernel(name, "const ids", "const weight", "y");
        out.line("const int i = get_global_id(0);");
        out.line("if (i >= batch * %d) return;", tokens * dim);
        out.line("const float id = ids[i / %d];", dim);
        out.line("y[i] = id >= 0.0f && id < %s ? weight[(int) id * %d + i %% %d] : 0.0f;", C.f(vocab), dim, dim);
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {batch * tokens * dim}; }

    public long[] local() { return WorkGroups.items(); }
}
