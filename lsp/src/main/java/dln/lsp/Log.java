package dln.lsp;

/** Where internal errors go (the client's log): the server reports them and carries on. */
interface Log {
    void error(String what, Throwable t);
}
