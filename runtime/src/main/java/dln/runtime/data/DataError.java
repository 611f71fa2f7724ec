package dln.runtime.data;

import java.nio.file.Path;

/**
 * Data that cannot be used as it is: a CSV cell that is not a number, a ragged row, a label outside
 * the model's classes, examples that do not fit the model's input, a missing file. The message is
 * meant for the user as it is: {@code FILE:LINE: what is wrong} for text files, {@code FILE: ...}
 * otherwise. Binary files report byte offsets with {@link dln.runtime.io.DataException} instead.
 */
public final class DataError extends RuntimeException {
    public DataError(String message) {
        super(message);
    }

    /** A problem on one line of a text file, the line numbered from 1 as an editor shows it. */
    static DataError at(Path file, long line, String message) {
        return new DataError(file + ":" + line + ": " + message);
    }
}
