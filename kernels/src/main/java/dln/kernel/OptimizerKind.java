package dln.kernel;

/** The update rules an {@link Update} kernel applies (the perceptron rule is SGD on its own gradient). */
public enum OptimizerKind { SGD, ADAGRAD, RMSPROP, ADAM }
