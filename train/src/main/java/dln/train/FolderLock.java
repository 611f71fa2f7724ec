package dln.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A checkpoint folder held by the one run that trains into it, so that two runs cannot overwrite
 * each other's checkpoints. The hold is an OS lock on the file {@value #NAME} in the folder, which
 * the OS releases when the process ends, however it ends (Ctrl-C, kill -9, a crash): a lock file
 * left by a dead run holds no lock and the next run takes it over without a word. The file says who
 * holds it (pid, start, command) for the message another run prints; it is emptied on release and
 * left in place, since deleting a lock file races with a run that has just opened it.
 *
 * <p>Readers need no lock: every checkpoint file is replaced by an atomic rename, so `dlnc eval`
 * and `dlnc predict` read a whole file, old or new, while a run writes the next one.
 */
public final class FolderLock implements AutoCloseable {
    /** The lock file's name in the folder (hidden, like the temporary files of the atomic writes). */
    public static final String NAME = ".lock";

    /** The folder is held by another run, alive: the message names the folder, the holder and what to do. */
    public static final class Busy extends RuntimeException {
        Busy(String message) { super(message); }
    }

    /**
     * The folders held in this JVM, by real path. This process must not open a held lock file a
     * second time, not even to read it: closing any descriptor of the file releases the process's
     * POSIX lock on it (FileLock's javadoc warns of this). So a run in this JVM is turned away here,
     * with the holder's details from memory, before the file is opened.
     */
    private static final Map<Path, FolderLock> HELD = new ConcurrentHashMap<>();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private final Map<String, String> holder;

    private FolderLock(Path key, FileChannel channel, FileLock lock, String command) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
        this.holder = Map.of("pid", Long.toString(ProcessHandle.current().pid()), "started",
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), "command", command.replace('\n', ' '));
    }

    /**
     * Takes {@code folder} (created when missing) for this process, recording {@code command} as
     * what holds it; throws {@link Busy} at once when a live run, in this process or another, holds it.
     */
    public static synchronized FolderLock take(Path folder, String command) throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve(NAME);
        Path key = folder.toRealPath();
        FolderLock here = HELD.get(key);
        if (here != null) throw new Busy(busy(folder, here.holder));
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock = tryLock(channel);
            if (lock == null) throw new Busy(busy(folder, holder(file)));
            FolderLock held = new FolderLock(key, channel, lock, command);
            held.record();
            HELD.put(key, held);
            return held;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The lock, or null when another process holds it (or, by some other path than this class, this JVM). */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException heldHere) {
            return null;
        }
    }

    /** Who holds the folder: pid, started, command, as the lock file says it. */
    public Map<String, String> holder() { return holder; }

    private void record() throws IOException {
        String text = "pid=" + holder.get("pid") + "\nstarted=" + holder.get("started") + "\ncommand=" + holder.get("command") + "\n";
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
    }

    /** Empties the file and releases the lock (the OS would release it at exit anyway). */
    @Override
    public void close() throws IOException {
        try (channel) {
            channel.truncate(0);
            lock.release();
        } finally {
            HELD.remove(key, this);
        }
    }

    /** What the lock file says of its holder: pid, started, command; empty when it cannot be read (or is being written). */
    static Map<String, String> holder(Path file) {
        Map<String, String> fields = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) fields.put(line.substring(0, eq), line.substring(eq + 1));
            }
        } catch (IOException | RuntimeException unreadable) {
            // the holder's details are for the message only
        }
        return fields;
    }

    static String busy(Path folder, Map<String, String> holder) {
        String pid = holder.get("pid");
        boolean here = pid != null && pid.equals(Long.toString(ProcessHandle.current().pid()));
        StringBuilder who = new StringBuilder(pid == null ? "another run" : here ? "another run in this process (pid " + pid : "another run (pid " + pid);
        if (pid != null) {
            if (holder.containsKey("started")) who.append(", started ").append(holder.get("started"));
            if (holder.containsKey("command")) who.append(": ").append(holder.get("command"));
            who.append(')');
        }
        return folder + ": the checkpoint folder is in use by " + who + "; wait for that run to end or stop it"
                + (pid != null && !here ? " (kill " + pid + ")" : "") + ", or train into another folder with --checkpoint DIR";
    }
}
