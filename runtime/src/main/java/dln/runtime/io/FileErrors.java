package dln.runtime.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Words a failed file operation for the user as {@code PATH: reason}: the path as the user gave it
 * and a reason in plain words ("no such file", "is a folder, not a file", "runs is a file, not a
 * folder", "permission denied"), read from the file system where the exception's own text (Java's
 * "Is a directory", with no path) says less.
 */
public final class FileErrors {
    private FileErrors() {}

    /** {@code PATH: reason} for a failure on {@code path}. */
    public static String message(Path path, IOException e) {
        return path + ": " + reason(path, e);
    }

    /** {@code PATH: reason} when the exception names its file (java.nio's do), else its own message. */
    public static String message(IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) return message(Path.of(f.getFile()), e);
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /**
     * The exception, naming {@code path}: as it is when it names it already, else a
     * {@link FileSystemException} on {@code path} with the same reason (and {@code e} as its cause).
     */
    public static IOException naming(Path path, IOException e) {
        if (e instanceof FileSystemException f && path.toString().equals(f.getFile()) && f.getOtherFile() == null) return e;
        FileSystemException named = new FileSystemException(path.toString(), null, reason(path, e));
        named.initCause(e);
        return named;
    }

    /**
     * What keeps {@code path} from being read as a file, or null when nothing does: "no such file",
     * "is a folder, not a file", "not a regular file", or a part of the path that is not a folder.
     */
    public static String unreadable(Path path) {
        String ancestor = fileInThePath(path);
        if (ancestor != null) return ancestor;
        if (Files.isDirectory(path)) return IS_A_FOLDER;
        if (!Files.exists(path)) return "no such file";
        if (!Files.isRegularFile(path)) return NOT_A_FILE;
        return null;
    }

    static final String IS_A_FOLDER = "is a folder, not a file";

    /**
     * Refuses a device, a pipe or a socket before it is opened: opening a pipe for reading waits
     * for a writer, and a device such as /dev/zero never ends. Data and weights are read from files.
     */
    public static void requireFileOrAbsent(Path path) throws FileSystemException {
        if (Files.exists(path) && !Files.isRegularFile(path) && !Files.isDirectory(path)) {
            throw new FileSystemException(path.toString(), null, NOT_A_FILE);
        }
    }

    static final String NOT_A_FILE = "not a regular file (a device, a pipe or a socket)";

    /** The reason in words, from the exception's kind, then the file system's state, then the exception's text. */
    public static String reason(Path path, IOException e) {
        String ancestor = fileInThePath(path);
        if (ancestor != null) return ancestor;
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file";
        if (e instanceof NotDirectoryException) return "not a folder";
        if (e instanceof DirectoryNotEmptyException) return "a folder that is not empty";
        if (e instanceof FileAlreadyExistsException) return Files.isDirectory(path) ? "already exists" : "is a file, not a folder";
        if (Files.isDirectory(path)) return IS_A_FOLDER;
        if (Files.exists(path) && !Files.isRegularFile(path)) return NOT_A_FILE;
        return words(e);
    }

    /** "{@code A} is a file, not a folder" for the first proper ancestor of {@code path} that exists and is not a folder; else null. */
    private static String fileInThePath(Path path) {
        Path parent = path.getParent();
        if (parent == null) return null;
        String further = fileInThePath(parent);
        if (further != null) return further;
        return Files.exists(parent) && !Files.isDirectory(parent) ? parent + " is a file, not a folder" : null;
    }

    /** The exception's own reason (a {@link FileSystemException}'s without its paths), starting in lower case. */
    private static String words(IOException e) {
        String text = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (text == null || text.isBlank()) return e.getClass().getSimpleName();
        return text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }
}
