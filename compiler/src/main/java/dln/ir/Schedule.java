package dln.ir;

import dln.runtime.Slot;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * A model ready to emit: every buffer (as allocated: {@code storage} maps each buffer the launches
 * name to the one holding it, since buffers with disjoint lifetimes share memory), every distinct kernel, and the launch lists of inference,
 * of a training step's forward pass, of the loss, of the backward pass and of the update. A model
 * without a train block has only {@link #predict}.
 */
public record Schedule(Graph graph, List<Slot> slots, java.util.Map<String, String> storage, List<Kernel> kernels, List<Launch> predict,
                       List<Launch> trainForward, List<Launch> loss, List<Launch> backward, List<Launch> update,
                       String lossName, String optimizerName, double learningRate, boolean labels) {

    public boolean trainable() { return graph.training() != null; }
}
