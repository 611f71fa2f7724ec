package dln.ir;

/** A tensor of the graph that nodes read and write: the buffer holding it and its floats per example (always batched). */
public record Operand(String buffer, long size) {}
