package dln.op;

import dln.diag.Code;
import dln.diag.Diagnostics;

/** Where a layer's shape rule reports a problem: at the layer's call, with its source text at hand. */
public interface Problems {
    Diagnostics.Report report(Code code, Object... args);

    /** The call as written, e.g. `dense(120)`, for help lines. */
    String call();
}
