package dln.kernel;

/** The training losses a {@link Loss} kernel computes (the `loss` setting, plus the perceptron rule). */
public enum LossKind { MSE, MAE, CROSS_ENTROPY, BINARY_CROSS_ENTROPY, HINGE, PERCEPTRON }
