/**
 * The file formats DLN reads and writes: weights as safetensors ({@link dln.runtime.io.Safetensors}),
 * arrays as NumPy .npy files ({@link dln.runtime.io.Npy}). Every write is atomic
 * ({@link dln.runtime.io.AtomicFiles}); every malformed file is reported as a
 * {@link dln.runtime.io.DataException} that names the file, the byte offset and what was expected;
 * every failed read or write names the file, and {@link dln.runtime.io.FileErrors} words it for
 * the user as {@code PATH: reason}.
 */
package dln.runtime.io;
