package dln.lsp;

/** Where the server's own troubles go (the client's log): it reports them and carries on. */
interface Log {
    /** An internal error: something in the server failed; the stack trace is for its developers. */
    void error(String what, Throwable t);

    /** Something the client sent that the server ignored, in a sentence. */
    void warning(String message);
}
