package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * dweight [vocab, dim] = the scatter-add of dy [N, tokens, dim] into the rows named by ids
 * (overwritten: zeroed first). Ids outside [0, vocab) add nothing, as {@link EmbeddingForward}
 * reads zeros for them. Deterministic: OpenCL runs one work-item per column j, which adds the
 * tokens in order, the same order as the reference, so both give the same bits.
 */
public record EmbeddingBackward(String name, long tokens, long vocab, long dim) implements Kernel {

    public EmbeddingBackward {
        if (tokens < 1 || vocab < 1 || dim < 1) throw new IllegalArgumentException("embedding sizes must be at least 1");
    }

    public List<String> args() { return List.of("ids", "dy", "dweight"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] ids = bufs[0], dy = bufs[1], dweight = bufs[2];
        int d = Math.toIntExact(dim), count = batch * Math.toIntExact(tokens);
        ParallelFor.range(d, Math.toIntExact(vocab) + count, j -> {
            for (int v = 0; v < vocab; v++) dweight[v * d + j] = 0;
            for (int token = 0; token < count; token++) {
                float id = ids[token];
                if (id >= 0 && id < vocab) dweight[(int) id * d + j] += dy[token * d + j];
            }
        });
    }

    public void opencl(C out) {
        out.kernel(name, "const ids", "const dy", "dweight");
        out.line("const int j = get_global_id(0);");
        out.line("if (j >= %d) return;", dim);
        out.line("for (int v = 0; v < %d; v++) dweight[v * %d + j] = 0.0f;", vocab, dim);
        out.line("for (int token = 0; token < batch * %d; token++) {", tokens);
        out.line("const float id = ids[token];");
        out.line("if (id >= 0.0f && id < %s) dweight[(int) id * %d + j] += dy[token * %d + j];", C.f(vocab), dim, dim);
        out.line("}");
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {dim}; }

    public long[] local() { return WorkGroups.items(); }
}
