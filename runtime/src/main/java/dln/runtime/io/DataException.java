package dln.runtime.io;

import java.nio.file.Path;

/**
 * A data file that does not hold what its format promises: truncated, corrupt, or using a feature
 * DLN does not read. The message reads {@code FILE: byte OFFSET: what was expected}.
 */
public final class DataException extends RuntimeException {
    private final transient Path file;
    private final long offset;

    public DataException(Path file, long offset, String message) {
        super(file + ": byte " + offset + ": " + message);
        this.file = file;
        this.offset = offset;
    }

    /** The file, as the caller named it. */
    public Path file() { return file; }

    /** Where in the file the problem was found, counting from 0. */
    public long offset() { return offset; }
}
