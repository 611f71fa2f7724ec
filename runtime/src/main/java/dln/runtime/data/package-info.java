/**
 * Training data: the sources a train block's {@code data} and {@code test} settings name, each read
 * into a {@link dln.runtime.data.Dataset} (inputs and targets as float arrays, one row per example):
 * {@link dln.runtime.data.Idx} (MNIST's format), {@link dln.runtime.data.Csv},
 * {@link dln.runtime.data.NpySource} and {@link dln.runtime.data.Inline}.
 *
 * <p>Bad data is never a stack trace: every reader reports it as an unchecked exception whose
 * message is the whole story, a {@link dln.runtime.io.DataException} ({@code FILE: byte OFFSET: ...})
 * for a binary file, a {@link dln.runtime.data.DataError} ({@code FILE:LINE: ...} for CSV, or
 * {@code FILE: ...}) for everything else, a missing file included.
 */
package dln.runtime.data;
