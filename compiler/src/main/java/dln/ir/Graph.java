package dln.ir;

import dln.net.Training;
import java.util.List;
import java.util.Set;

/**
 * A lowered model: its inputs and outputs as values, its nodes in execution order, the values whose
 * gradients training needs (those that depend on a trained parameter), and its train settings
 * (null for a model without a train block). Parameters are already declared in {@code plan}.
 */
public record Graph(String model, List<Port> inputs, List<Port> outputs, List<Node> nodes, Set<String> needsGradient,
                    Training training, Plan plan) {

    /** A model input or output: its name in the .dln file, its value and its shape per example. */
    public record Port(String name, Operand value, long[] shape, boolean integer) {}
}
