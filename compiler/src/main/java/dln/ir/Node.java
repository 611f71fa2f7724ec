package dln.ir;

import java.util.List;

/**
 * One op of the graph. Each node is complete: its shape is the checked layer's, its forward
 * lowering and its gradient rule are kernel launches, and its kernels carry their Java reference
 * and OpenCL source.
 */
public interface Node {
    /** The layer's full name: `dense_1`, `residual_1.conv2d_1`. */
    String name();

    List<Value> inputs();

    Value output();

    /** Appends the forward launches; {@code training} selects batch statistics and dropout. */
    void forward(Lowering out, boolean training);

    /** Appends the gradient launches: the gradient of {@link #output()} is complete in {@code g.dy(output())}. */
    void backward(Gradients g);
}
