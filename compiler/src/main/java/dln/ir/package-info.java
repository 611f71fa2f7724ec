/**
 * The intermediate representation between a checked {@link dln.net.Network} and the emitted code:
 * a graph of {@link Node}s over {@link Value}s, each node carrying its forward lowering and its
 * gradient rule as {@link dln.runtime.kernel.Kernel} launches. The passes: {@link Lowerer} (network
 * to graph, with fusion), {@link Differentiator} (the backward pass and the loss), {@link Scheduler}
 * (buffers and the final launch lists).
 */
package dln.ir;
