package dln.runtime.cl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether the JDK's signal chaining (libjsig) is in this process. PoCL's LLVM installs handlers for
 * SIGSEGV, SIGBUS and SIGILL with SA_RESETHAND over the JVM's own, and the JVM raises SIGSEGV on
 * purpose (safepoint polls, implicit null checks): the first such fault goes to LLVM, which deletes
 * the temporary files of a kernel build under way, and a second thread faulting in the same instant
 * finds the default action and kills the process with a bare "Segmentation fault". Preloading
 * libjsig keeps the JVM's handlers first and passes LLVM the signals that are not the JVM's.
 */
public final class SignalChaining {
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private SignalChaining() {}

    /** True when libjsig is mapped into this process; empty when the platform cannot tell (no /proc). */
    public static Optional<Boolean> active() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) return Optional.empty();
        try (var lines = Files.lines(maps)) {
            return Optional.of(lines.anyMatch(l -> l.endsWith("/libjsig.so")));
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** The library to preload: this JVM's own libjsig. */
    public static Path library() {
        return Path.of(System.getProperty("java.home"), "lib", "libjsig.so");
    }

    /** What to do, for a device on a platform that replaces the JVM's handlers; null when nothing is needed. */
    public static String advice(Devices.Device device, Optional<Boolean> chaining) {
        if (!device.platformName().contains("Portable Computing Language") || !chaining.equals(Optional.of(false))) return null;
        return "PoCL replaces the JVM's signal handlers, which can crash this JVM (\"Segmentation fault\") or fail kernel builds; "
                + "start java with LD_PRELOAD=" + library() + " (the dlnc launcher does; docs/RUNTIME.md, \"PoCL and the JVM's signals\")";
    }

    /** Warns once per process, through System.Logger, when {@link #advice} has something to say. */
    static void warnIfNeeded(Devices.Device device) {
        if (WARNED.get()) return;   // said once already: no need to read /proc again
        String advice = advice(device, active());
        if (advice != null && WARNED.compareAndSet(false, true)) {
            System.getLogger("dln.runtime.cl").log(System.Logger.Level.WARNING, advice);
        }
    }
}
