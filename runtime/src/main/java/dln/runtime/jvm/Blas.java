package dln.runtime.jvm;

import dev.ludovic.netlib.blas.BLAS;

/**
 * Single-precision matrix products for the reference kernels, row-major, through netlib's BLAS
 * binding: the system's native BLAS (OpenBLAS) when installed, a vectorized or plain Java one
 * otherwise. BLAS is column-major, so C = A·B row-major is computed as Cᵀ = Bᵀ·Aᵀ.
 */
public final class Blas {
    private static final BLAS BLAS_ = quietly();

    /** netlib logs which implementation it picked at INFO level; `dlnc devices` says it instead. */
    private static BLAS quietly() {
        java.util.logging.Logger.getLogger("dev.ludovic.netlib.blas").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("dev.ludovic.netlib.blas.InstanceBuilder").setLevel(java.util.logging.Level.WARNING);
        return BLAS.getInstance();
    }

    private Blas() {}

    public static String name() {
        String n = BLAS_.getClass().getSimpleName();
        return n.isEmpty() ? BLAS_.getClass().getName() : n;
    }

    /**
     * C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C, all row-major with leading dimensions
     * (row lengths as stored) lda, ldb, ldc and element offsets.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int offA, int lda, float[] b, int offB, int ldb,
                             float beta, float[] c, int offC, int ldc) {
        if (m == 0 || n == 0) return;
        BLAS_.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, offB, ldb, a, offA, lda, beta, c, offC, ldc);
    }
}
