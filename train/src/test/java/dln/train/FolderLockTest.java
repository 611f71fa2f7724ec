package dln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint folder is held by one run: in this JVM, in another process, and free again when the holder dies. */
class FolderLockTest {
    @TempDir Path dir;

    /** Holds the folder {@code args[0]} until killed, saying "held"; or says "busy" and ends: the other process of the tests below. */
    public static void main(String[] args) throws Exception {
        try {
            FolderLock.take(Path.of(args[0]), "holder for FolderLockTest");
        } catch (FolderLock.Busy e) {
            System.out.println("busy");
            return;
        }
        System.out.println("held");
        System.out.flush();
        Thread.sleep(TimeUnit.MINUTES.toMillis(5));   // a guard: the test kills it long before
    }

    @Test void aSecondRunInThisProcessIsTurnedAwayAndTheFirstKeepsItsLock() throws Exception {
        Path runs = dir.resolve("runs");
        try (FolderLock first = FolderLock.take(runs, "dlnc train a.dln")) {
            assertThatThrownBy(() -> FolderLock.take(runs, "dlnc train b.dln")).isInstanceOf(FolderLock.Busy.class)
                    .hasMessage(runs + ": the checkpoint folder is in use by another run in this process (pid " + ProcessHandle.current().pid()
                            + ", started " + first.holder().get("started")
                            + ": dlnc train a.dln); wait for that run to end or stop it, or train into another folder with --checkpoint DIR");
            assertThatThrownBy(() -> FolderLock.take(runs.resolve("../runs"), "the same folder by another name")).isInstanceOf(FolderLock.Busy.class);
            assertThat(first.holder()).containsEntry("command", "dlnc train a.dln").containsEntry("pid", Long.toString(ProcessHandle.current().pid()));
            assertThat(elsewhere(runs)).as("the refusals left the first run's OS lock in place").isEqualTo("busy");
        }
        assertThat(runs.resolve(FolderLock.NAME)).isEmptyFile();
        try (FolderLock again = FolderLock.take(runs, "dlnc train c.dln")) {
            assertThat(again.holder()).containsEntry("command", "dlnc train c.dln");
        }
        assertThat(elsewhere(runs)).as("released").isEqualTo("held");
    }

    @Test void aLockFileLeftByADeadRunIsTakenOverSilently() throws Exception {
        Path runs = Files.createDirectories(dir.resolve("runs"));
        Files.writeString(runs.resolve(FolderLock.NAME), "pid=999999\nstarted=2020-01-01T00:00:00Z\ncommand=dlnc train gone.dln\n");
        try (FolderLock lock = FolderLock.take(runs, "dlnc train new.dln")) {
            assertThat(lock.holder()).containsEntry("pid", Long.toString(ProcessHandle.current().pid()));
        }
        assertThat(runs.resolve(FolderLock.NAME)).as("its text written, then emptied on release").isEmptyFile();
    }

    @Test void anotherProcessHoldsTheFolderUntilItIsKilled() throws Exception {
        Path runs = dir.resolve("runs");
        Process holder = hold(runs);
        try {
            assertThatThrownBy(() -> FolderLock.take(runs, "dlnc train")).isInstanceOf(FolderLock.Busy.class)
                    .hasMessageStartingWith(runs + ": the checkpoint folder is in use by another run (pid " + holder.pid() + ", started ")
                    .hasMessageEndingWith(": holder for FolderLockTest); wait for that run to end or stop it (kill " + holder.pid()
                            + "), or train into another folder with --checkpoint DIR");
        } finally {
            holder.destroyForcibly().waitFor();   // kill -9: the OS releases the lock, the file keeps its text
        }
        assertThat(FolderLock.holder(runs.resolve(FolderLock.NAME))).containsEntry("pid", Long.toString(holder.pid()));
        try (FolderLock lock = FolderLock.take(runs, "dlnc train after")) {
            assertThat(elsewhere(runs)).isEqualTo("busy");
        }
    }

    @Test void aFileWhereTheFolderShouldBeIsAnIoError() throws Exception {
        Path file = Files.writeString(dir.resolve("runs"), "x");
        assertThatThrownBy(() -> FolderLock.take(file, "dlnc train")).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    }

    /** Another JVM that holds {@code folder}; returns once it says so. */
    static Process hold(Path folder) throws Exception {
        Process p = other(folder);
        String line = firstLine(p);
        if (!"held".equals(line)) p.destroyForcibly().waitFor();
        assertThat(line).as("the holder's first line").isEqualTo("held");
        return p;
    }

    /** What another process finds, "held" or "busy": the OS lock, not this JVM's record of it. */
    private static String elsewhere(Path folder) throws Exception {
        Process p = other(folder);
        String line = firstLine(p);
        p.destroyForcibly().waitFor();
        return line;
    }

    private static Process other(Path folder) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), FolderLockTest.class.getName(), folder.toString()).redirectErrorStream(true).start();
    }

    private static String firstLine(Process p) throws Exception {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }
}
