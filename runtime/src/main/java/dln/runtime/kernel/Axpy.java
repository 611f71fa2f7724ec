package dln.runtime.kernel;

import java.util.List;

/** y = alpha·x + beta·y over {@code size} elements (copy with alpha 1, beta 0; accumulate with beta 1). */
public record Axpy(String name, Dim size, float alpha, float beta) implements Kernel {

    public List<String> args() { return List.of("x", "y"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], y = bufs[1];
        int n = size.at(batch);
        if (beta == 0) for (int i = 0; i < n; i++) y[i] = alpha * x[i];
        else for (int i = 0; i < n; i++) y[i] = alpha * x[i] + beta * y[i];
    }

    public void opencl(C out) {
        out.kernel(name, "const x", "y");
        out.line("const int i = get_global_id(0);");
        out.line("if (i >= %s) return;", size.c());
        out.line(beta == 0 ? "y[i] = %s * x[i];" : "y[i] = %s * x[i] + %s * y[i];", C.f(alpha), C.f(beta));
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {size.at(batch)}; }
}
