/**
 * The intermediate representation between a checked {@link dln.op.Network} and the emitted code:
 * a graph of {@link Node}s (a sealed set of records) over {@link Operand}s, each node carrying its
 * forward lowering and its gradient rule as {@link dln.runtime.kernel.Kernel} launches. The passes:
 * {@link dln.op.Lowerer} (network to graph, each op lowering itself, with fusion),
 * {@link Differentiator} (the backward pass and the loss), {@link Scheduler} (buffers and the final
 * launch lists).
 */
package dln.ir;
