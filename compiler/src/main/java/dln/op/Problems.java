package dln.op;

import dln.diag.Diag;
import dln.diag.Diagnostics;

/** Where a layer's shape rule reports a problem: at the layer's call, with its source text at hand. */
public interface Problems {
    Diagnostics.Report report(Diag diag, Object... args);

    /** The call as written, e.g. `dense(120)`, for help lines. */
    String call();
}
