package dln.kernel;

import static dln.kernel.Lanes.each;

import dln.runtime.host.Blas;
import dln.runtime.kernel.C;
import dln.runtime.kernel.Choice;
import dln.runtime.kernel.Tunable;
import java.util.List;

/**
 * C[m,n] = alpha·op(A)·op(B) + beta·C, row-major; lda, ldb, ldc are the row lengths as stored (A is
 * stored [k, m] when transposed, B [n, k]). With beta 0, C is only written, so garbage in it is harmless.
 *
 * <p>The OpenCL kernel keeps a block of C per work-item in registers and reads A and B straight from
 * global memory, which the caches tile. Two shapes of block, by which operand is contiguous along k:
 * <ul>
 * <li>outer products (A·B, Aᵀ·B, and Aᵀ·Bᵀ computed as its transpose B·A): GEMM_ROWS rows (12
 *     unless built otherwise) × 32 columns; for each k, two float16 of the operand contiguous across
 *     the block times GEMM_ROWS broadcast scalars of the other;
 * <li>dot products (A·Bᵀ, both rows contiguous along k): a GEMM_ROWS × GEMM_COLS block (6 × 4 unless
 *     built otherwise) of float16 partial sums along k, added across lanes at the end.
 * </ul>
 * The block's rows and columns are loops of a constant count that the OpenCL compiler unrolls, so
 * the block lives in registers whatever its size; a build option picks another size for a device
 * ({@link Tunable}). Tiling through local memory, the GPU habit, measured 5 to 28 GFLOP/s at 1024³
 * on PoCL's CPU device: PoCL keeps each work-item's accumulators in memory across every barrier.
 * These blocks measured 100 to 250 there.
 */
public record Gemm(String name, boolean transA, boolean transB, Dim m, Dim n, Dim k, int lda, int ldb, int ldc,
                   float alpha, float beta, Epilogue epilogue, GradEpilogue grad) implements Tunable {

    static final String ROWS = "GEMM_ROWS", COLS = "GEMM_COLS";
    private static final Choice OUTER = Choice.of(ROWS, 12), DOT = Choice.of(ROWS, 6, COLS, 4);
    /**
     * The JVM reference's products of at least this many multiply-adds are shared among the threads
     * when the BLAS runs one. Handing a block to the team's spinning workers costs under a
     * microsecond, but OpenBLAS packs the shared operand once per call: products of about 2M
     * multiply-adds (the MLP's second layer at batch 64) measured no faster on two threads than on
     * one on this project's 2-core machine, while 8M and more gain 30-45% (docs/PERFORMANCE.md).
     */
    static final long SHARED_WORK = 1 << 23;
    /**
     * A product whose epilogue takes each row's softmax shares its rows from this many elements of C
     * on, whatever its multiply-adds: the exponentials are most of a classifier's last layer (256 × 10
     * at batch 256, 10 µs of exponentials against 12 µs of product on one core).
     */
    static final long SHARED_EXPS = 1 << 11;
    /**
     * The rows (or columns) a thread's block has at least; blocks start at multiples of ALIGN
     * (OpenBLAS's register block on AVX-512). C is shared by rows when it has 2·BLOCK rows, else by
     * columns when it has 2·BLOCK columns: a training batch of 64 rows computes its first layer's
     * 64 × 784 · 784 × 256 as two blocks of 128 columns in 125 µs against 175-200 µs on one thread,
     * where two blocks of 32 rows gained nothing.
     */
    static final int BLOCK = 64, ALIGN = 16;

    public Gemm {
        if (lda < 0 || ldb < 0 || ldc < 0) throw new IllegalArgumentException("negative leading dimension");
        if (!epilogue.none() && !(transB && !transA)) throw new IllegalArgumentException("an epilogue is only for A·Bᵀ (a dense layer's forward product)");
        if (epilogue.softmax() && (ldc != n.per() || n.batched() || beta != 0)) throw new IllegalArgumentException("a row's softmax needs C's rows whole (ldc = N)");
        if (epilogue.dropout() != null && (ldc != n.per() || n.batched() || beta != 0 || !epilogue.dropout().size().equals(elements(m, n)))) {
            throw new IllegalArgumentException("a dropout's epilogue needs C whole (ldc = N) and as large as the dropout");
        }
        if (grad.elementwise() && (transA || transB || ldc != n.per() || n.batched())) {
            throw new IllegalArgumentException("a mask or an activation's derivative is only for A·B stored whole (an input gradient)");
        }
        if (grad.mask() != null && !grad.mask().size().equals(elements(m, n))) {
            throw new IllegalArgumentException("the dropout's size " + grad.mask().size() + " is not the product's " + elements(m, n));
        }
        if (grad.sums() && !(transA && !transB && !m.batched())) throw new IllegalArgumentException("column sums are only for Aᵀ·B (a weight gradient)");
    }

    /** A product with a forward epilogue (a dense layer's bias and activation). */
    public Gemm(String name, boolean transA, boolean transB, Dim m, Dim n, Dim k, int lda, int ldb, int ldc, float alpha, float beta, Epilogue epilogue) {
        this(name, transA, transB, m, n, k, lda, ldb, ldc, alpha, beta, epilogue, GradEpilogue.NONE);
    }

    /** A product stored as it is. */
    public Gemm(String name, boolean transA, boolean transB, Dim m, Dim n, Dim k, int lda, int ldb, int ldc, float alpha, float beta) {
        this(name, transA, transB, m, n, k, lda, ldb, ldc, alpha, beta, Epilogue.NONE, GradEpilogue.NONE);
    }

    /** This product named {@code name} with epilogue {@code e} (the compiler's Fuser, at inference). */
    public Gemm with(String name, Epilogue e) {
        return new Gemm(name, transA, transB, m, n, k, lda, ldb, ldc, alpha, beta, e, grad);
    }

    /** This product, named {@code name}, then dropout {@code d} of what it stores into a buffer of C's shape (the compiler's Fuser, in training). */
    public Gemm withDropout(String name, Dropout d) {
        return new Gemm(name, transA, transB, m, n, k, lda, ldb, ldc, alpha, beta, epilogue.withDropout(d), grad);
    }

    /** This product, named {@code name}, then the softmax of each row of C into a buffer of C's shape (the compiler's Fuser, at inference). */
    public Gemm withSoftmax(String name) {
        return new Gemm(name, transA, transB, m, n, k, lda, ldb, ldc, alpha, beta, epilogue.withSoftmax(), grad);
    }

    /** This product with a backward epilogue folded in (the compiler's Fuser). */
    public Gemm with(GradEpilogue g) {
        return new Gemm(name, transA, transB, m, n, k, lda, ldb, ldc, alpha, beta, epilogue, g);
    }

    /** C's elements as one size: m × n, batched as m is. */
    public Dim elements() { return elements(m, n); }

    private static Dim elements(Dim m, Dim n) { return m.batched() ? Dim.batch(m.per() * n.per()) : Dim.of(m.per() * n.per()); }

    /**
     * The buffers: a, b, c, then the bias of C's columns when the epilogue adds one and the
     * probabilities when it takes each row's softmax (the dropped copy when it applies a dropout),
     * or what the backward epilogue reads and writes (the activation's buffer, the sums).
     */
    public List<String> args() {
        List<String> args = new java.util.ArrayList<>(List.of("a", "b", "c"));
        args.addAll(epilogue.args());
        if (epilogue.softmax()) args.add("probs");
        if (epilogue.dropout() != null) args.add("dropped");
        args.addAll(grad.args());
        return args;
    }

    /**
     * C through BLAS. When the BLAS runs one thread and the product is large enough to share
     * ({@link #SHARED_WORK}, {@link #SHARED_EXPS}), each thread computes a block of at least
     * {@link #BLOCK} of C's rows (or, for a product of few rows, of its columns) as a product of its
     * own, followed at once by that block's epilogue while it is in cache: the same as one call over
     * all of C within rounding (OpenBLAS may give an element to another register block, as its own
     * threads do; GemmTest), and the same bits from run to run on a machine.
     */
    public void reference(int batch, int step, float[][] bufs) {
        reference(batch, step, bufs, Blas.singleThreaded() ? SHARED_WORK : Long.MAX_VALUE);
    }

    /**
     * {@link #reference}, sharing products of at least {@code sharedWork} multiply-adds among the threads
     * (and a softmax epilogue of {@link #SHARED_EXPS} elements or more); {@code Long.MAX_VALUE} shares
     * nothing, as when the BLAS runs threads of its own.
     */
    void reference(int batch, int step, float[][] bufs, long sharedWork) {
        int rows = m.at(batch), cols = n.at(batch), depth = k.at(batch);
        if (rows == 0 || cols == 0) return;
        float[] a = bufs[0], c = bufs[2];
        int reads = epilogue.args().size();
        float[][] epilogueReads = java.util.Arrays.copyOfRange(bufs, 3, 3 + reads);
        long work = (long) rows * cols * Math.max(1, depth);
        boolean share = sharedWork != Long.MAX_VALUE && (work >= sharedWork || epilogue.softmax() && (long) rows * cols >= SHARED_EXPS);
        if (share && rows < 2 * BLOCK && cols >= 2 * BLOCK && !epilogue.softmax()) {
            ParallelFor.blocks(cols, BLOCK, ALIGN, false, (from, to) -> block(bufs, epilogueReads, 0, rows, from, to, depth));
        } else {
            ParallelFor.blocks(rows, BLOCK, ALIGN, !share, (from, to) -> block(bufs, epilogueReads, from, to, 0, cols, depth));
        }
        if (epilogue.dropout() != null) epilogue.dropout().reference(batch, step, new float[][] {c, bufs[3 + reads]});
        if (!grad.none()) {
            boolean y = grad.act() != Act.LINEAR;
            grad.apply(batch, step, a, c, y ? bufs[3] : null, grad.sums() ? bufs[3] : null, elements(), k, m.per());
        }
    }

    /** C's rows [r0, r1) × columns [c0, c1) and their epilogue, on the calling thread. */
    private void block(float[][] bufs, float[][] epilogueReads, int r0, int r1, int c0, int c1, int depth) {
        float[] a = bufs[0], b = bufs[1], c = bufs[2];
        if (depth == 0) {
            for (int i = r0; i < r1; i++) {
                for (int j = i * ldc + c0; j < i * ldc + c1; j++) c[j] = beta == 0 ? 0 : beta * c[j];
            }
        } else {
            int offA = transA ? r0 : r0 * lda, offB = transB ? c0 * ldb : c0;
            Blas.sgemm(transA, transB, r1 - r0, c1 - c0, depth, alpha, a, offA, lda, b, offB, ldb, beta, c, r0 * ldc + c0, ldc);
        }
        epilogue.apply(c, r0, r1, c0, c1, ldc, epilogueReads);
        if (epilogue.softmax()) for (int i = r0; i < r1; i++) Softmax.row(c, bufs[3 + epilogueReads.length], i * ldc, c1 - c0);
    }

    public void opencl(C out) {
        if (dot()) dotProducts(out);
        else outerProducts(out);
    }

    /**
     * The dot-product block; the outer-product block of 12 rows, or of 4 for a product of few rows and
     * a long batched depth (a strided convolution's weight gradient by rows, {@link PositionRows}: C of
     * 32 × 144 over 49 positions an example made 15 work-items of 12 rows, which the tuner found 26%
     * slower on PoCL's two cores than 40 of 4).
     */
    public Choice defaults() {
        if (dot()) return DOT;
        boolean fewRows = !m.batched() && !(transA && transB) && global(1, OUTER)[0] * global(1, OUTER)[1] < 32;
        return fewRows && k.batched() && k.per() >= 16 ? Choice.of(ROWS, 4) : OUTER;
    }

    /**
     * The dot-product blocks hold rows × columns float16 accumulators plus as many loads; the outer
     * products rows × (one or two) vectors. The candidates run from small blocks (more work-items,
     * fewer registers: a GPU's choice) to blocks that fill AVX-512's 32 registers.
     */
    public List<Choice> candidates() {
        if (dot()) {
            return List.of(DOT, Choice.of(ROWS, 4, COLS, 4), Choice.of(ROWS, 8, COLS, 4), Choice.of(ROWS, 4, COLS, 2), Choice.of(ROWS, 8, COLS, 2),
                    Choice.of(ROWS, 2, COLS, 4), Choice.of(ROWS, 3, COLS, 4), Choice.of(ROWS, 6, COLS, 2), Choice.of(ROWS, 2, COLS, 2));
        }
        boolean oneVector = outerLanes().vectors() == 1;
        return oneVector ? List.of(OUTER, Choice.of(ROWS, 4), Choice.of(ROWS, 6), Choice.of(ROWS, 8), Choice.of(ROWS, 16), Choice.of(ROWS, 24))
                : List.of(OUTER, Choice.of(ROWS, 4), Choice.of(ROWS, 6), Choice.of(ROWS, 8), Choice.of(ROWS, 16));
    }

    public long[] global(int batch, Choice blocks) {
        long rows = m.at(batch), cols = n.at(batch);
        if (dot()) return new long[] {epilogue.softmax() ? 1 : ceil(cols, blocks.get(COLS)), ceil(rows, blocks.get(ROWS))};
        boolean tt = transA && transB;
        long v = tt ? rows : cols, s = tt ? cols : rows;
        return new long[] {ceil(v, outerLanes().cols()), ceil(s, blocks.get(ROWS))};
    }

    @Override public long[] local() { return epilogue.softmax() ? new long[] {1, 16} : new long[] {4, 4}; }

    public String shape() {
        return "gemm %s*%s M=%s N=%s K=%s lda=%d ldb=%d ldc=%d alpha=%s beta=%s%s%s".formatted(transA ? "A^T" : "A", transB ? "B^T" : "B",
                size(m), size(n), size(k), lda, ldb, ldc, alpha, beta, epilogue.none() ? "" : " then " + epilogue.describe(),
                grad.none() ? "" : " " + grad.describe());
    }

    public Gemm named(String name) {
        return new Gemm(name, transA, transB, m, n, k, lda, ldb, ldc, alpha, beta, epilogue, grad);
    }

    public long[] sizes(int batch) {
        long a = (long) (transA ? k : m).at(batch) * lda, b = (long) (transB ? n : k).at(batch) * ldb, c = (long) m.at(batch) * ldc;
        if (!epilogue.none()) {
            int reads = epilogue.args().size();
            long[] sizes = java.util.Arrays.copyOf(new long[] {a, b, c}, 3 + reads + (epilogue.second() ? 1 : 0));
            java.util.Arrays.fill(sizes, 3, 3 + reads, n.at(batch));
            if (epilogue.second()) sizes[3 + reads] = c;
            return sizes;
        }
        if (grad.act() != Act.LINEAR) return new long[] {a, b, c, c};
        if (grad.sums()) return new long[] {a, b, c, m.at(batch)};
        return new long[] {a, b, c};
    }

    private static String size(Dim d) {
        return !d.batched() ? Long.toString(d.per()) : d.per() == 1 ? "batch" : d.per() + "*batch";
    }

    private boolean dot() { return transB && !transA; }

    /** The vectors of an outer-product block, along C's rows (along its columns for Aᵀ·Bᵀ). */
    private Lanes outerLanes() { return Lanes.of((transA && transB ? m : n).per()); }

    /** The C macro of a block size in this kernel's source. */
    private String param(String name) { return Choice.macro(name, this.name); }

    private void header(C out, String block) {
        out.line("// C[M,N] = %s%s * %s%s, A stored %s (lda %d), B stored %s (ldb %d), C ldc %d; M x N x K = %s x %s x %s.",
                alpha == 1 ? "" : C.f(alpha) + " * ", transA ? "A^T" : "A", transB ? "B^T" : "B", beta == 0 ? "" : " + " + C.f(beta) + " * C",
                transA ? "[K,M]" : "[M,K]", lda, transB ? "[N,K]" : "[K,N]", ldb, ldc, m, n, k);
        if (!epilogue.none()) out.line("// then, as each element is stored: %s.", epilogue.describe().replace("bias", "bias[column]"));
        if (!grad.none()) out.line("// %s.", grad.describe());
        out.line("// " + block);
        out.line("// The block sizes are build options (-D NAME=value) that a tuner may choose; these are the defaults.");
        defaults().declare(out, name);
        grad.helpers(out, name);
        if (!dot() && !(transA && transB)) grad.vectorHelpers(out, name, outerLanes().width());
        List<String> buffers = new java.util.ArrayList<>(List.of("const a", "const b", "c"));
        for (String read : epilogue.args()) buffers.add("const " + read);
        if (epilogue.softmax()) buffers.add("probs");
        if (epilogue.dropout() != null) buffers.add("dropped");
        for (String g : grad.args()) buffers.add(g.equals("sums") ? g : "const " + g);
        if (epilogue.dropout() != null) {
            epilogue.dropout().hashFunction(out, name + "_hash");
            out.line("");
        }
        out.kernel(name, buffers.toArray(String[]::new));
        out.line("const int M = %s, N = %s, K = %s;", m.c(), n.c(), k.c());
        if (epilogue.dropout() != null) out.line("const uint stream = %s;   // the dropout's mask at this step", epilogue.dropout().streamExpression(name + "_hash"));
        grad.prologue(out, name);
    }

    /**
     * The outer-product block: vectors run along C's rows (along its columns for Aᵀ·Bᵀ, which stores
     * the block transposed). The last block moves back to end at the last column, so every vector load
     * is in bounds without a second, guarded loop; it stores only its own columns. Rows past the end
     * repeat the last row (or, with Aᵀ, the last block moves back too, when there are enough rows):
     * computed, never stored.
     */
    private void outerProducts(C out) {
        boolean tt = transA && transB;
        String v = tt ? "M" : "N", s = tt ? "N" : "M";               // the vector and the scalar dimension of C
        String vec = tt ? "a" : "b", sca = tt ? "b" : "a";            // the operands they come from
        int vecLd = tt ? lda : ldb, scaLd = tt ? ldb : lda;
        boolean scaRows = !transA || tt;                               // the scalars' operand is contiguous along k
        String rows = param(ROWS);
        Lanes blk = outerLanes();
        header(out, "A work-item's block: %s %s x %d %s in %s registers; for each k, %d vector%s of %s times %s scalars of %s."
                .formatted(rows, tt ? "columns" : "rows", blk.cols(), tt ? "rows" : "columns", blk.type(), blk.vectors(),
                        blk.vectors() == 1 ? "" : "s", vec, rows, sca));
        out.line("const int j0 = get_global_id(0) * %d, i0 = get_global_id(1) * %s;", blk.cols(), rows);
        out.line("if (j0 >= %s || i0 >= %s) return;", v, s);
        out.line("const int jb = min(j0, %s - %d);", v, blk.cols());
        if (scaRows) {
            out.line("__global const float* p[%s];", rows);
            eachRow(out, rows, "p[i] = %s + min(i0 + i, %s - 1) * %d;".formatted(sca, s, scaLd));
        } else {
            out.line("const int ib = max(0, min(i0, %s - %s)), lastI = %s - 1 - ib;", s, rows, s);
        }
        out.line(each(blk.vectors(), x -> "%s acc%d[%s];".formatted(blk.type(), x, rows)));
        eachRow(out, rows, each(blk.vectors(), x -> "acc%d[i] = 0.0f;".formatted(x)));
        String rowStart = scaRows ? "i0" : "ib";
        if (grad.sums()) {
            // the first column of blocks also adds up its rows' scalars, A's columns: the bias gradient
            out.line("float rs[%s];", rows);
            eachRow(out, rows, "rs[i] = 0.0f;");
            out.line("if (get_global_id(0) == 0) {");
            outerLoop(out, blk, rows, vec, vecLd, sca, scaLd, scaRows, true);
            out.line("for (int i = i0 - ib; i < %s && ib + i < M; i++) sums[ib + i] = rs[i];", rows);
            out.line("} else {");
            outerLoop(out, blk, rows, vec, vecLd, sca, scaLd, scaRows, false);
            out.line("}");
        } else {
            outerLoop(out, blk, rows, vec, vecLd, sca, scaLd, scaRows, false);
        }
        boolean whole = !tt;
        if (whole) {
            out.line("if (jb == j0%s && i0 + %s <= M) {", scaRows ? "" : " && ib == i0", rows);
            if (grad.elementwise()) {
                // the backward epilogue a vector at a time, its lanes at flat indices e + 16·x + lane
                eachRow(out, rows, "{ __global float* q = c + (i0 + i) * %d + j0; const int e = (i0 + i) * %d + j0; %s }".formatted(ldc, ldc,
                        each(blk.vectors(), x -> "{ %s v = %s; %s %s; }".formatted(blk.type(), scaled("acc" + x + "[i]", blk.load(x, "q")),
                                grad.openclVector("v", "e + " + x * blk.width(), blk.width(), name), blk.store("v", x, "q")))));
            } else {
                eachRow(out, rows, "{ __global float* q = c + (i0 + i) * %d + j0; %s }".formatted(ldc,
                        each(blk.vectors(), x -> blk.store(scaled("acc" + x + "[i]", blk.load(x, "q")), x, "q") + ";")));
            }
            out.line("} else {");
        }
        out.line("float t[%s][%d];", rows, blk.cols());
        eachRow(out, rows, each(blk.vectors(), x -> blk.store("acc" + x + "[i]", x, "t[i]") + ";"));
        out.line("for (int i = i0 - %s; i < %s && %s + i < %s; i++) {", rowStart, rows, rowStart, s);
        out.line("for (int j = j0 - jb; j < %d; j++) {", blk.cols());
        out.line("__global float* q = c + %s;", tt ? "(jb + j) * " + ldc + " + " + rowStart + " + i" : "(" + rowStart + " + i) * " + ldc + " + jb + j");
        out.line("*q = %s;", grad.elementwise() ? grad.opencl(scaled("t[i][j]", "*q"), "(int) (q - c)", name) : scaled("t[i][j]", "*q"));
        out.line("}");
        out.line("}");
        if (whole) out.line("}");
        out.line("}");
    }

    /** The loop over k of the outer-product block; with {@code sums}, each row's scalar is also added to rs[i]. */
    private static void outerLoop(C out, Lanes blk, String rows, String vec, int vecLd, String sca, int scaLd, boolean scaRows, boolean sums) {
        out.line("for (int k = 0; k < K; k++) {");
        out.line("__global const float* vk = %s + k * %d + jb;", vec, vecLd);
        out.line(each(blk.vectors(), x -> "const %s v%d = %s;".formatted(blk.type(), x, blk.load(x, "vk"))));
        if (!scaRows) out.line("__global const float* sk = %s + k * %d + ib;", sca, scaLd);
        String scalar = scaRows ? "p[i][k]" : "sk[min(i, lastI)]";
        String fmas = each(blk.vectors(), x -> "acc%d[i] = fma(s, v%d, acc%d[i]);".formatted(x, x, x));
        if (sums) eachRow(out, rows, "{ const float e = %s; rs[i] += e; const %s s = e; %s }".formatted(scalar, blk.type(), fmas));
        else eachRow(out, rows, "{ const %s s = %s; %s }".formatted(blk.type(), scalar, fmas));
        out.line("}");
    }

    /**
     * A·Bᵀ: rows of A and rows of B are both contiguous along k. With a row's softmax in the epilogue,
     * a work-item takes whole rows: it computes their columns a block at a time, stores them with the
     * bias and activation, then writes the softmax of each of its rows to probs.
     */
    private void dotProducts(C out) {
        Lanes.sum(out, name + "_sum16", 16);
        boolean wholeRows = epilogue.softmax();
        if (wholeRows) Softmax.row(out, name + "_softmax", n.per());
        String rows = param(ROWS), cols = param(COLS);
        header(out, "A work-item's block: %s rows x %s columns of float16 partial dot products along k, summed across lanes at the end%s."
                .formatted(rows, cols, wholeRows ? "; its rows whole, a block of columns after another" : ""));
        if (wholeRows) {
            out.line("const int i0 = get_global_id(1) * %s;", rows);
            out.line("if (get_global_id(0) != 0 || i0 >= M) return;   // a work-group as wide as the device wants: one column of work-items works");
        } else {
            out.line("const int j0 = get_global_id(0) * %s, i0 = get_global_id(1) * %s;", cols, rows);
            out.line("if (j0 >= N || i0 >= M) return;");
        }
        out.line("// rows and columns past the end repeat the last one: computed, never stored");
        out.line("__global const float* ar[%s];", rows);
        out.line("__global const float* br[%s];", cols);
        eachRow(out, rows, "ar[i] = a + min(i0 + i, M - 1) * %d;".formatted(lda));
        if (wholeRows) out.line("for (int j0 = 0; j0 < N; j0 += %s) {", cols);
        eachColumn(out, cols, "br[j] = b + min(j0 + j, N - 1) * %d;".formatted(ldb));
        out.line("float16 d[%s][%s];", rows, cols);
        eachElement(out, rows, cols, "d[i][j] = 0.0f;");
        out.line("int k = 0;");
        out.line("for (; k + 16 <= K; k += 16) {");
        out.line("float16 x[%s], y[%s];", rows, cols);
        eachRow(out, rows, "x[i] = vload16(0, ar[i] + k);");
        eachColumn(out, cols, "y[j] = vload16(0, br[j] + k);");
        eachElement(out, rows, cols, "d[i][j] = fma(x[i], y[j], d[i][j]);");
        out.line("}");
        out.line("float t[%s][%s];", rows, cols);
        eachElement(out, rows, cols, "t[i][j] = %s_sum16(d[i][j]);".formatted(name));
        out.line("for (; k < K; k++) {");
        eachElement(out, rows, cols, "t[i][j] = fma(ar[i][k], br[j][k], t[i][j]);");
        out.line("}");
        out.line("for (int i = 0; i < %s && i0 + i < M; i++) {", rows);
        out.line("for (int j = 0; j < %s && j0 + j < N; j++) {", cols);
        out.line("__global float* q = c + (i0 + i) * %d + j0 + j;", ldc);
        out.line(epilogue.openclStore("*q", scaled("t[i][j]", "*q"), "j0 + j"));
        if (epilogue.dropout() != null) {
            out.line("dropped[q - c] = %s;", epilogue.dropout().keptExpression(name + "_hash", "stream", "(int) (q - c)", "*q"));
        }
        out.line("}");
        out.line("}");
        if (wholeRows) {
            out.line("}");
            out.line("for (int i = 0; i < %s && i0 + i < M; i++) %s_softmax(c, probs, (i0 + i) * %d);", rows, name, ldc);
        }
        out.line("}");
    }

    /** {@code body} for each i below {@code count}: a loop of a constant count, which the compiler unrolls. */
    private static void eachRow(C out, String count, String body) { out.unrolled("i", count, body); }

    /** {@code body} for each j below {@code count}, unrolled. */
    private static void eachColumn(C out, String count, String body) { out.unrolled("j", count, body); }

    /** {@code body} for each i below {@code rows} and j below {@code cols}, unrolled. */
    private static void eachElement(C out, String rows, String cols, String body) {
        out.line("#pragma unroll");
        out.line("for (int i = 0; i < %s; i++) {", rows);
        eachColumn(out, cols, body);
        out.line("}");
    }

    /** alpha·x + beta·old as C, without the factors that are 1 or 0 (beta 0 never reads old). */
    private String scaled(String x, String old) {
        String v = alpha == 1 ? x : C.f(alpha) + " * " + x;
        return beta == 0 ? v : v + " + " + C.f(beta) + " * " + old;
    }

    private static long ceil(long a, long b) { return (a + b - 1) / b; }
}
