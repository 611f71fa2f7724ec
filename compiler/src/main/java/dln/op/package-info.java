/**
 * The built-in layers, one file per op ({@link Op}): signature, shape rule, parameters, initial
 * values, FLOPs and lowering to the IR. Also the checked {@link Network} they form, and the
 * {@link Lowerer} pass that turns it into a {@link dln.ir.Graph}.
 */
package dln.op;
