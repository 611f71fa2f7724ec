package dln.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class TeamTest {

    // Loops of 1 to 40 parts back to back, some with no work at all and some long enough for the
    // workers to sleep between them: each part runs exactly once, and all before run returns.
    @Test void everyPartRunsOnceBeforeTheLoopReturns() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Random r = new Random(3);
            for (int loop = 0; loop < 5000; loop++) {
                int parts = 1 + r.nextInt(40);
                AtomicIntegerArray runs = new AtomicIntegerArray(parts);
                int spin = r.nextInt(4) == 0 ? 2000 : 0;
                Team.run(parts, p -> {
                    for (int i = 0; i < spin; i++) Thread.onSpinWait();
                    runs.incrementAndGet(p);
                });
                for (int p = 0; p < parts; p++) assertThat(runs.get(p)).as("loop %d, part %d of %d", loop, p, parts).isEqualTo(1);
                if (loop % 1000 == 999) Thread.sleep(2);   // past the workers' spinning: they sleep and are woken
            }
        });
    }

    @Test void thePartsRunOnTheTeamsThreads() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            java.util.Set<String> threads = ConcurrentHashMap.newKeySet();
            for (int loop = 0; loop < 200 && threads.size() < Team.threads(); loop++) {
                Team.run(64, p -> {
                    for (int i = 0; i < 20_000; i++) Thread.onSpinWait();
                    threads.add(Thread.currentThread().getName());
                });
            }
            assertThat(threads).hasSize(Team.threads());
        });
    }

    // A part's exception reaches the caller once every other part has run; the team runs the next loop.
    @Test void aPartsExceptionReachesTheCallerAfterTheOtherParts() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            AtomicIntegerArray runs = new AtomicIntegerArray(16);
            assertThatThrownBy(() -> Team.run(16, p -> {
                runs.incrementAndGet(p);
                if (p == 5) throw new IllegalArgumentException("part 5");
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("part 5");
            for (int p = 0; p < 16; p++) assertThat(runs.get(p)).isEqualTo(1);
            AtomicIntegerArray again = new AtomicIntegerArray(8);
            Team.run(8, again::incrementAndGet);
            for (int p = 0; p < 8; p++) assertThat(again.get(p)).isEqualTo(1);
        });
    }

    // A loop inside a part, and loops from several threads at once, run on their callers where the
    // team is taken: every part once, and no thread waits for another forever.
    @Test void nestedAndConcurrentLoopsRunOnTheirCallers() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            AtomicIntegerArray inner = new AtomicIntegerArray(8 * 8);
            Team.run(8, p -> Team.run(8, q -> inner.incrementAndGet(p * 8 + q)));
            for (int i = 0; i < 64; i++) assertThat(inner.get(i)).isEqualTo(1);

            List<Thread> callers = new ArrayList<>();
            AtomicIntegerArray[] counts = new AtomicIntegerArray[4];
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < counts.length; t++) {
                AtomicIntegerArray c = counts[t] = new AtomicIntegerArray(32);
                Thread caller = new Thread(() -> {
                    for (int loop = 0; loop < 2000; loop++) Team.run(32, c::incrementAndGet);
                });
                caller.setUncaughtExceptionHandler((th, e) -> failures.add(e));
                callers.add(caller);
                caller.start();
            }
            for (Thread caller : callers) caller.join();
            assertThat(failures).isEmpty();
            for (AtomicIntegerArray c : counts) {
                for (int p = 0; p < 32; p++) assertThat(c.get(p)).isEqualTo(2000);
            }
        });
    }
}
