package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
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

    /** Four elements per work-item (vload4/vstore4), the last taking a remainder one at a time: PoCL ran the one-element form at half the speed. */
    public void opencl(C out) {
        out.kernel(name, "const x", "y");
        out.line("const int q = get_global_id(0), n = %s;", size.c());
        String alpha = C.f(this.alpha), beta = C.f(this.beta);
        out.quads(List.of(this.beta == 0 ? "vstore4(%s * vload4(q, x), q, y);".formatted(alpha)
                        : "vstore4(%s * vload4(q, x) + %s * vload4(q, y), q, y);".formatted(alpha, beta)),
                this.beta == 0 ? "y[i] = %s * x[i];".formatted(alpha) : "y[i] = %s * x[i] + %s * y[i];".formatted(alpha, beta));
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {(size.at(batch) + 3) / 4}; }
}
