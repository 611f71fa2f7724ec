package dln.runtime.kernel;

import java.util.List;

/**
 * acc[0] += Σ x over {@code size} elements (the batch's losses into an epoch total). OpenCL runs
 * one work-group: each work-item adds a fixed stride of x, then a {@link WorkGroups} tree adds the
 * partial sums, so the result is the same on every run. The reference adds in double, in order.
 */
public record Sum(String name, Dim size) implements Kernel {

    public List<String> args() { return List.of("x", "acc"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], acc = bufs[1];
        int n = size.at(batch);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += x[i];
        acc[0] += (float) sum;
    }

    public void opencl(C out) {
        out.kernel(name, "const x", "acc");
        WorkGroups.declare(out, "total");
        out.line("const int lid = get_local_id(0);");
        out.line("float part = 0.0f;");
        out.line("for (int i = lid; i < %s; i += %d) part += x[i];", size.c(), WorkGroups.REDUCE);
        WorkGroups.sum(out, "total", "part");
        out.line("if (lid == 0) acc[0] += total;");
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {size.at(batch) == 0 ? 0 : WorkGroups.REDUCE}; }

    public long[] local() { return WorkGroups.reduce(); }
}
