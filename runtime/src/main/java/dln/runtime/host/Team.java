package dln.runtime.host;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The threads that run the JVM references' parallel loops: the caller and one daemon worker per
 * further processor, which after a loop keep looking for the next one for {@link #SPIN_NANOS}
 * before they sleep. A training step of the JVM backend is a few dozen short parallel loops back to
 * back; the common fork-join pool's workers went to sleep between them, and waking one took 50-100
 * µs on this project's 2-core VM, as long as a small loop's work (LeNet-5's first convolution
 * unfolded a batch no faster on two threads than on one). OpenMP runtimes keep their threads
 * spinning between parallel regions for the same reason.
 *
 * <p>One loop at a time: a loop started while the team runs another (from another thread, or from
 * inside one of its parts) runs all its parts on the calling thread, so nothing waits on the team
 * and nothing can deadlock. Each part runs exactly once; the first exception a part throws is
 * rethrown to the caller once every part has finished.
 */
public final class Team {
    /** How long a worker looks for the next loop before it sleeps: about a few short loops' gap. */
    static final long SPIN_NANOS = 200_000;

    private static final Team TEAM = new Team(Runtime.getRuntime().availableProcessors() - 1);

    private final Thread[] workers;
    /** Held by the thread whose loop the team runs; others run theirs alone. */
    private final AtomicInteger owner = new AtomicInteger();
    /** Bumped for every loop; a worker runs the loop of a generation it has not seen. */
    private volatile long generation;
    private volatile Loop loop;

    /** One loop: its parts, the next part to claim, and the parts finished. */
    private static final class Loop {
        final int parts;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger(), finished = new AtomicInteger();
        volatile Throwable failure;

        Loop(int parts, IntConsumer body) {
            this.parts = parts;
            this.body = body;
        }

        /** Claims and runs parts until none is left. */
        void work() {
            for (int p; (p = next.getAndIncrement()) < parts; ) {
                try {
                    body.accept(p);
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    finished.incrementAndGet();
                }
            }
        }
    }

    private Team(int extra) {
        workers = new Thread[Math.max(0, extra)];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Thread(this::serve, "dln-worker-" + (i + 1));
            workers[i].setDaemon(true);
            workers[i].start();
        }
    }

    /** The threads a loop can use: the caller and the workers. */
    public static int threads() { return TEAM.workers.length + 1; }

    /** Runs {@code body} for each part in [0, parts), on the team's threads, and returns when all have run. */
    public static void run(int parts, IntConsumer body) {
        TEAM.runLoop(parts, body);
    }

    private void runLoop(int parts, IntConsumer body) {
        if (parts <= 1 || workers.length == 0 || !owner.compareAndSet(0, 1)) {
            for (int p = 0; p < parts; p++) body.accept(p);
            return;
        }
        Loop l = new Loop(parts, body);
        try {
            loop = l;
            generation++;   // only the owner writes it
            for (Thread w : workers) LockSupport.unpark(w);
            l.work();
            while (l.finished.get() < parts) Thread.onSpinWait();
        } finally {
            loop = null;
            owner.set(0);
        }
        Throwable t = l.failure;
        if (t instanceof RuntimeException e) throw e;
        if (t instanceof Error e) throw e;
        if (t != null) throw new IllegalStateException(t);
    }

    /** A worker: runs each new loop's parts it can claim; looks for the next loop a while, then sleeps until woken. */
    private void serve() {
        long seen = 0;
        while (true) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (generation == seen) {
                if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            seen = generation;
            Loop l = loop;
            if (l != null) l.work();
        }
    }
}
