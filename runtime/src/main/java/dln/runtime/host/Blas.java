package dln.runtime.host;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import java.nio.file.Path;

/**
 * Single-precision matrix products for the reference kernels, row-major, through netlib's BLAS
 * binding: the system's native BLAS (OpenBLAS) when installed, a vectorized or plain Java one
 * otherwise. BLAS is column-major, so C = A·B row-major is computed as Cᵀ = Bᵀ·Aᵀ.
 */
public final class Blas {
    /** netlib's property for the native library's path, which it dlopens as given. */
    static final String NATIVE_PATH = "dev.ludovic.netlib.blas.nativeLibPath";
    /** netlib's property that, false, keeps it to its Java BLAS. */
    static final String ALLOW_NATIVE = "dev.ludovic.netlib.blas.allowNative";

    private static final BLAS BLAS_ = quietly();

    /**
     * The native BLAS when its library loads, else netlib's Java one. netlib would try the native
     * library itself and print its failure to stderr from C (and log which one it took at INFO
     * level: `dlnc devices` says that instead), so the library is looked for here first
     * ({@link NativeLibraries}): netlib is given the one found, or told not to try (its own
     * property), and a machine without one gets the Java BLAS and no message.
     */
    private static BLAS quietly() {
        java.util.logging.Logger.getLogger("dev.ludovic.netlib.blas").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("dev.ludovic.netlib.blas.InstanceBuilder").setLevel(java.util.logging.Level.WARNING);
        if (NativeLibraries.probed()) {
            Path library = Boolean.parseBoolean(System.getProperty(ALLOW_NATIVE, "true")) ? nativeLibrary() : null;
            if (library == null) System.setProperty(ALLOW_NATIVE, "false");
            else System.setProperty(NATIVE_PATH, library.toString());
        }
        return BLAS.getInstance();
    }

    /** The path given in netlib's own property when it loads, else libblas.so.3 from the linker's folders (what netlib loads). */
    private static Path nativeLibrary() {
        String given = System.getProperty(NATIVE_PATH);
        if (given != null) return NativeLibraries.loads(Path.of(given)) ? Path.of(given) : null;
        return NativeLibraries.load("libblas.so.3");
    }

    private Blas() {}

    /** Whether products run on a native BLAS (OpenBLAS, or whichever libblas.so.3 the system has). */
    public static boolean isNative() {
        return BLAS_ instanceof NativeBLAS;
    }

    /**
     * Whether a product runs on the calling thread only: netlib's Java BLAS, or a native one told to
     * use one thread (OPENBLAS_NUM_THREADS, else GOTO_NUM_THREADS, else OMP_NUM_THREADS, as OpenBLAS
     * reads them, is 1: `dlnc` sets it so). The JVM backend then shares a large product among its
     * own threads; a BLAS of several threads shares it itself.
     */
    public static boolean singleThreaded() {
        return SINGLE_THREADED;
    }

    private static final boolean SINGLE_THREADED = !isNative() || "1".equals(blasThreads());

    private static String blasThreads() {
        for (String v : new String[] {"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"}) {
            String value = System.getenv(v);
            if (value != null && !value.isBlank()) return value.strip();
        }
        return null;
    }

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
