package dln.net;

/** Element types: float32 activations everywhere, integer ids into an embedding. */
public enum DType {
    FLOAT, INT;

    public String keyword() { return this == INT ? "int" : "float"; }
}
