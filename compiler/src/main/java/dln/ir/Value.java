package dln.ir;

/** A tensor of the graph: the buffer holding it and its floats per example (always batched). */
public record Value(String buffer, long size) {}
