package dln.runtime.kernel;

import static dln.runtime.kernel.Lanes.each;

import dln.runtime.jvm.Blas;
import java.util.List;

/**
 * C[m,n] = alpha·op(A)·op(B) + beta·C, row-major; lda, ldb, ldc are the row lengths as stored (A is
 * stored [k, m] when transposed, B [n, k]). With beta 0, C is only written, so garbage in it is harmless.
 *
 * <p>The OpenCL kernel keeps a block of C per work-item in registers and reads A and B straight from
 * global memory, which the caches tile. Two shapes of block, by which operand is contiguous along k:
 * <ul>
 * <li>outer products (A·B, Aᵀ·B, and Aᵀ·Bᵀ computed as its transpose B·A): a 12×32 block; for each k,
 *     two float16 of the operand contiguous across the block times 12 broadcast scalars of the other;
 * <li>dot products (A·Bᵀ, both rows contiguous along k): a 6×4 block of float16 partial sums along k,
 *     added across lanes at the end.
 * </ul>
 * Tiling through local memory, the GPU habit, measured 5 to 28 GFLOP/s at 1024³ on PoCL's CPU device:
 * PoCL keeps each work-item's accumulators in memory across every barrier. These blocks measured
 * 100 to 250 there. On a GPU the 12×32 block is too many registers; a GPU schedule would be a
 * separate choice of this kernel.
 */
public record Gemm(String name, boolean transA, boolean transB, Dim m, Dim n, Dim k, int lda, int ldb, int ldc,
                   float alpha, float beta, Epilogue epilogue) implements Kernel {

    private static final int ROWS = 12;
    private static final int DOT_ROWS = 6, DOT_COLS = 4;

    public Gemm {
        if (lda < 0 || ldb < 0 || ldc < 0) throw new IllegalArgumentException("negative leading dimension");
        if (!epilogue.none() && !(transB && !transA)) throw new IllegalArgumentException("an epilogue is only for A·Bᵀ (a dense layer's forward product)");
    }

    /** A product stored as it is. */
    public Gemm(String name, boolean transA, boolean transB, Dim m, Dim n, Dim k, int lda, int ldb, int ldc, float alpha, float beta) {
        this(name, transA, transB, m, n, k, lda, ldb, ldc, alpha, beta, Epilogue.NONE);
    }

    /** The buffers: a, b, c, and the bias of C's columns when the epilogue adds one. */
    public List<String> args() { return epilogue.bias() ? List.of("a", "b", "c", "bias") : List.of("a", "b", "c"); }

    public void reference(int batch, int step, float[][] bufs) {
        int rows = m.at(batch), cols = n.at(batch), depth = k.at(batch);
        if (rows == 0 || cols == 0) return;
        float[] c = bufs[2];
        if (depth == 0) {
            for (int i = 0; i < rows; i++) {
                for (int j = i * ldc; j < i * ldc + cols; j++) c[j] = beta == 0 ? 0 : beta * c[j];
            }
        } else {
            Blas.sgemm(transA, transB, rows, cols, depth, alpha, bufs[0], 0, lda, bufs[1], 0, ldb, beta, c, 0, ldc);
        }
        epilogue.apply(c, rows, cols, ldc, epilogue.bias() ? bufs[3] : null);
    }

    public void opencl(C out) {
        if (dot()) dotProducts(out);
        else outerProducts(out);
    }

    public long[] global(int batch) {
        long rows = m.at(batch), cols = n.at(batch);
        if (dot()) return new long[] {ceil(cols, DOT_COLS), ceil(rows, DOT_ROWS)};
        boolean tt = transA && transB;
        long v = tt ? rows : cols, s = tt ? cols : rows;
        return new long[] {ceil(v, Lanes.of((tt ? m : n).per()).cols()), ceil(s, ROWS)};
    }

    @Override public long[] local() { return new long[] {4, 4}; }

    private boolean dot() { return transB && !transA; }

    private void header(C out, String block) {
        out.line("// C[M,N] = %s%s * %s%s, A stored %s (lda %d), B stored %s (ldb %d), C ldc %d; M x N x K = %s x %s x %s.",
                alpha == 1 ? "" : C.f(alpha) + " * ", transA ? "A^T" : "A", transB ? "B^T" : "B", beta == 0 ? "" : " + " + C.f(beta) + " * C",
                transA ? "[K,M]" : "[M,K]", lda, transB ? "[N,K]" : "[K,N]", ldb, ldc, m, n, k);
        if (!epilogue.none()) out.line("// then, as each element is stored: %s.", epilogue.describe().replace("bias", "bias[column]"));
        out.line("// " + block);
        out.line("__attribute__((reqd_work_group_size(4, 4, 1)))");
        if (epilogue.bias()) out.kernel(name, "const a", "const b", "c", "const bias");
        else out.kernel(name, "const a", "const b", "c");
        out.line("const int M = %s, N = %s, K = %s;", m.c(), n.c(), k.c());
    }

    /**
     * The outer-product block: vectors run along C's rows (along its columns for Aᵀ·Bᵀ, which stores
     * the block transposed). The last block moves back to end at the last column, so every vector load
     * is in bounds without a second, guarded loop; it stores only its own columns. Rows past the end
     * repeat the last row (or, with Aᵀ, the last block moves back too): computed, never stored.
     */
    private void outerProducts(C out) {
        boolean tt = transA && transB;
        Dim vDim = tt ? m : n, sDim = tt ? n : m;
        String v = tt ? "M" : "N", s = tt ? "N" : "M";               // the vector and the scalar dimension of C
        String vec = tt ? "a" : "b", sca = tt ? "b" : "a";            // the operands they come from
        int vecLd = tt ? lda : ldb, scaLd = tt ? ldb : lda;
        boolean scaRows = !transA || tt;                               // the scalars' operand is contiguous along k
        boolean shiftRows = !scaRows && sDim.per() >= ROWS;
        Lanes blk = Lanes.of(vDim.per());
        header(out, "A work-item's block: %d %s x %d %s in %s registers; for each k, %d vector%s of %s times %d scalars of %s."
                .formatted(ROWS, tt ? "columns" : "rows", blk.cols(), tt ? "rows" : "columns", blk.type(), blk.vectors(),
                        blk.vectors() == 1 ? "" : "s", vec, ROWS, sca));
        out.line("const int j0 = get_global_id(0) * %d, i0 = get_global_id(1) * %d;", blk.cols(), ROWS);
        out.line("if (j0 >= %s || i0 >= %s) return;", v, s);
        out.line("const int jb = min(j0, %s - %d);", v, blk.cols());
        if (scaRows) {
            for (int i = 0; i < ROWS; i++) out.line("__global const float* p%d = %s + min(i0 + %d, %s - 1) * %d;", i, sca, i, s, scaLd);
        } else if (shiftRows) {
            out.line("const int ib = min(i0, %s - %d);", s, ROWS);
        } else {
            out.line("const int lastI = %s - 1 - i0;", s);
        }
        for (int i = 0; i < ROWS; i++) {
            int row = i;
            out.line(each(blk.vectors(), x -> "%s c%d_%d = 0.0f;".formatted(blk.type(), row, x)));
        }
        out.line("for (int k = 0; k < K; k++) {");
        out.line("__global const float* vk = %s + k * %d + jb;", vec, vecLd);
        out.line(each(blk.vectors(), x -> "const %s v%d = %s;".formatted(blk.type(), x, blk.load(x, "vk"))));
        if (!scaRows) out.line("__global const float* sk = %s + k * %d + %s;", sca, scaLd, shiftRows ? "ib" : "i0");
        for (int i = 0; i < ROWS; i++) {
            String scalar = scaRows ? "p" + i + "[k]" : shiftRows ? "sk[" + i + "]" : "sk[min(" + i + ", lastI)]";
            int row = i;
            out.line("{ const %s s = %s; %s }", blk.type(), scalar,
                    each(blk.vectors(), x -> "c%d_%d = fma(s, v%d, c%d_%d);".formatted(row, x, x, row, x)));
        }
        out.line("}");
        String rowStart = shiftRows ? "ib" : "i0";
        if (!tt) {
            out.line("if (jb == j0%s && i0 + %d <= M) {", shiftRows ? " && ib == i0" : "", ROWS);
            for (int i = 0; i < ROWS; i++) {
                int row = i;
                out.line("{ __global float* q = c + (i0 + %d) * %d + j0; %s }", i, ldc,
                        each(blk.vectors(), x -> blk.store(scaled("c" + row + "_" + x, blk.load(x, "q")), x, "q") + ";"));
            }
            out.line("} else {");
        }
        spill(out, blk);
        out.line("for (int i = i0 - %s; i < %d && %s + i < %s; i++) {", rowStart, ROWS, rowStart, s);
        out.line("for (int j = j0 - jb; j < %d; j++) {", blk.cols());
        out.line("__global float* q = c + %s;", tt ? "(jb + j) * " + ldc + " + " + rowStart + " + i" : "(" + rowStart + " + i) * " + ldc + " + jb + j");
        out.line("*q = %s;", scaled("t[i][j]", "*q"));
        out.line("}");
        out.line("}");
        if (!tt) out.line("}");
        out.line("}");
    }

    private void spill(C out, Lanes blk) {
        out.line("float t[%d][%d];", ROWS, blk.cols());
        for (int i = 0; i < ROWS; i++) {
            int row = i;
            out.line(each(blk.vectors(), x -> blk.store("c" + row + "_" + x, x, "t[" + row + "]") + ";"));
        }
    }

    /** A·Bᵀ: rows of A and rows of B are both contiguous along k. */
    private void dotProducts(C out) {
        Lanes.sum(out, name + "_sum16", 16);
        header(out, "A work-item's block: %d rows x %d columns of float16 partial dot products along k, summed across lanes at the end."
                .formatted(DOT_ROWS, DOT_COLS));
        out.line("const int j0 = get_global_id(0) * %d, i0 = get_global_id(1) * %d;", DOT_COLS, DOT_ROWS);
        out.line("if (j0 >= N || i0 >= M) return;");
        // rows and columns past the end repeat the last one: computed, never stored
        for (int i = 0; i < DOT_ROWS; i++) out.line("__global const float* a%d = a + min(i0 + %d, M - 1) * %d;", i, i, lda);
        for (int j = 0; j < DOT_COLS; j++) out.line("__global const float* b%d = b + min(j0 + %d, N - 1) * %d;", j, j, ldb);
        for (int i = 0; i < DOT_ROWS; i++) {
            int row = i;
            out.line(each(DOT_COLS, j -> "float16 d%d_%d = 0.0f;".formatted(row, j)));
        }
        out.line("int k = 0;");
        out.line("for (; k + 16 <= K; k += 16) {");
        out.line(each(DOT_ROWS, i -> "const float16 x%d = vload16(0, a%d + k);".formatted(i, i)));
        out.line(each(DOT_COLS, j -> "const float16 y%d = vload16(0, b%d + k);".formatted(j, j)));
        for (int i = 0; i < DOT_ROWS; i++) {
            int row = i;
            out.line(each(DOT_COLS, j -> "d%d_%d = fma(x%d, y%d, d%d_%d);".formatted(row, j, row, j, row, j)));
        }
        out.line("}");
        out.line("float t[%d][%d];", DOT_ROWS, DOT_COLS);
        for (int i = 0; i < DOT_ROWS; i++) {
            int row = i;
            out.line(each(DOT_COLS, j -> "t[%d][%d] = %s_sum16(d%d_%d);".formatted(row, j, name, row, j)));
        }
        out.line("for (; k < K; k++) {");
        for (int i = 0; i < DOT_ROWS; i++) {
            int row = i;
            out.line(each(DOT_COLS, j -> "t[%d][%d] = fma(a%d[k], b%d[k], t[%d][%d]);".formatted(row, j, row, j, row, j)));
        }
        out.line("}");
        out.line("for (int i = 0; i < %d && i0 + i < M; i++) {", DOT_ROWS);
        out.line("for (int j = 0; j < %d && j0 + j < N; j++) {", DOT_COLS);
        out.line("__global float* q = c + (i0 + i) * %d + j0 + j;", ldc);
        out.line("*q = %s;", epilogue.opencl(scaled("t[i][j]", "*q"), "bias[j0 + j]"));
        out.line("}");
        out.line("}");
        out.line("}");
    }

    /** alpha·x + beta·old as C, without the factors that are 1 or 0 (beta 0 never reads old). */
    private String scaled(String x, String old) {
        String v = alpha == 1 ? x : C.f(alpha) + " * " + x;
        return beta == 0 ? v : v + " + " + C.f(beta) + " * " + old;
    }

    private static long ceil(long a, long b) { return (a + b - 1) / b; }
}
