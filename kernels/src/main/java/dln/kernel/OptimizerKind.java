package dln.kernel;

/** The update rules an {@link Update} kernel applies (the perceptron rule is SGD on its own gradient). */
public enum OptimizerKind {
    SGD, ADAGRAD, RMSPROP, ADAM, ADAMW;

    /** Whether the rule keeps Adam's two moments and reads its bias corrections from the hyper buffer. */
    public boolean moments() { return this == ADAM || this == ADAMW; }
}
