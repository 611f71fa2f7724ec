package dln.kernel;

/**
 * The cell a recurrent layer runs at each step, with PyTorch's gate order. {@code gates} is how
 * many [H] blocks the projections weight_ih and weight_hh have; {@code saved} how many the forward
 * kernel keeps per step for the backward one.
 */
public enum RecurrentCell {
    /** h = act(W_ih x + b_ih + W_hh h + b_hh); keeps h. */
    RNN(1, 1),
    /** Gates i, f, g, o; keeps them activated (the cell states go to their own buffer). */
    LSTM(4, 4),
    /**
     * Gates r, z, n: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h = (1 − z) ⊙ n + z ⊙ h; keeps r,
     * z, n and W_hn h + b_hn, which the gradient of r needs.
     */
    GRU(3, 4);

    private final int gates, saved;

    RecurrentCell(int gates, int saved) {
        this.gates = gates;
        this.saved = saved;
    }

    public int gates() { return gates; }

    public int saved() { return saved; }

    public String kind() { return name().toLowerCase(java.util.Locale.ROOT); }
}
