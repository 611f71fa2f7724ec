package dln.runtime.kernel;

/**
 * A model's optimizer step: a kernel that reads the learning rate and the step count from the
 * model's hyper buffer, and says what that buffer holds, so that a model fills it before each
 * training step without knowing the update rule.
 */
public interface OptimizerStep extends Kernel {

    /** The hyper buffer for training step {@code step} (from 1) at learning rate {@code learningRate}. */
    float[] hyper(double learningRate, long step);
}
