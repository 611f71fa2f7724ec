package dln.runtime.cl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dln.kernel.Dim;
import dln.kernel.Gemm;
import dln.kernel.SliceCopy;
import dln.runtime.Buffer;
import dln.runtime.kernel.Choice;
import dln.runtime.kernel.Kernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tuner and the tuned build, on this machine's first OpenCL device. */
class TunerTest {
    @TempDir Path dir;

    private static final Gemm FORWARD = new Gemm("t_tune_fwd", false, true, Dim.batch(1), Dim.of(24), Dim.of(40), 40, 40, 24, 1, 0);

    private ClBackend backend(TuningCache cache) {
        assumeFalse("1".equals(System.getenv("DLN_SKIP_OPENCL")), "DLN_SKIP_OPENCL=1");
        return new ClBackend(Devices.list().get(0), cache);
    }

    @Test void theDefaultsStayUnlessACandidateWinsByMoreThanTheMargin() {
        Choice a = Choice.of("GEMM_ROWS", 12), b = Choice.of("GEMM_ROWS", 8), c = Choice.of("GEMM_ROWS", 4);
        assertThat(Tuner.decide(List.of(new Tuner.Trial(a, 1.0), new Tuner.Trial(b, 0.95), new Tuner.Trial(c, 0.92)))).isEqualTo(a);
        assertThat(Tuner.decide(List.of(new Tuner.Trial(a, 1.0), new Tuner.Trial(b, 0.85), new Tuner.Trial(c, 0.7)))).isEqualTo(c);
        assertThat(Tuner.decide(List.of(new Tuner.Trial(a, 1.0), new Tuner.Trial(b, 1.5)))).isEqualTo(a);
    }

    @Test void theOutcomeSaysWhatWasTriedAndWhy() {
        Choice a = Choice.of("GEMM_ROWS", 12), b = Choice.of("GEMM_ROWS", 8);
        List<Tuner.Trial> trials = List.of(new Tuner.Trial(a, 1.0), new Tuner.Trial(b, 0.5));
        Tuner.Outcome kept = new Tuner.Outcome("k", "gemm", 64, List.of(new Tuner.Trial(a, 1.0), new Tuner.Trial(b, 0.95)), List.of(), a);
        assertThat(kept.lines()).first().isEqualTo("k (batch 64): gemm");
        assertThat(kept.lines()).contains("  GEMM_ROWS=12                  1.0000 ms  (default)")
                .last().isEqualTo("  chosen: the default (GEMM_ROWS=8 was 5% faster, within the 10% a change needs)");
        Tuner.Outcome won = new Tuner.Outcome("k", "gemm", 64, trials, List.of(new Tuner.Trial(a, 1.0), new Tuner.Trial(b, 0.6)), b);
        assertThat(won.lines()).contains("  again, head to head: the default 1.0000 ms, GEMM_ROWS=8 0.6000 ms")
                .last().isEqualTo("  chosen: GEMM_ROWS=8, 40% faster than the default");
        Tuner.Outcome faded = new Tuner.Outcome("k", "gemm", 64, trials, List.of(new Tuner.Trial(a, 1.0), new Tuner.Trial(b, 0.97)), a);
        assertThat(faded.lines()).last().isEqualTo("  chosen: the default (GEMM_ROWS=8's lead of 50% did not hold: 3% head to head)");
        Tuner.Outcome fastest = new Tuner.Outcome("k", "gemm", 64, List.of(new Tuner.Trial(a, 0.4), new Tuner.Trial(b, 0.5)), List.of(), a);
        assertThat(fastest.lines()).last().isEqualTo("  chosen: the default, the fastest");
    }

    @Test void aTunedBuildIsTheSameSourceWithBuildOptionsAndMatchesTheReference() {
        TuningCache cache = TuningCache.load(dir.resolve("tuning.json"));
        try (ClBackend cl = backend(cache)) {
            Choice tuned = Choice.of("GEMM_ROWS", 2, "GEMM_COLS", 2);
            assertThat(cl.choice(FORWARD)).isEqualTo(FORWARD.defaults());
            assertThat(cl.options(List.of(FORWARD))).isEmpty();
            cache.put(cl.device().key(), FORWARD.shape(), new TuningCache.Entry(tuned, 37, 1, 0.5));
            assertThat(cl.choice(FORWARD)).isEqualTo(tuned);
            assertThat(cl.options(List.of(FORWARD))).isEqualTo(" -D GEMM_COLS_t_tune_fwd=2 -D GEMM_ROWS_t_tune_fwd=2");
            assertThat(run(cl, FORWARD, 37)).containsExactly(run(new dln.runtime.jvm.JvmBackend(), FORWARD, 37), org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    @Test void aCachedChoiceThatIsNoCandidateIsIgnored() {
        TuningCache cache = TuningCache.load(dir.resolve("tuning.json"));
        try (ClBackend cl = backend(cache)) {
            cache.put(cl.device().key(), FORWARD.shape(), new TuningCache.Entry(Choice.of("GEMM_ROWS", 5, "GEMM_COLS", 5), 37, 1, 0.5));
            assertThat(cl.choice(FORWARD)).isEqualTo(FORWARD.defaults());
            cache.put(cl.device().key(), FORWARD.shape(), new TuningCache.Entry(Choice.of("TILE", 4), 37, 1, 0.5));
            assertThat(cl.choice(FORWARD)).isEqualTo(FORWARD.defaults());
        }
    }

    @Test void theTunerTimesEveryCandidateOncePerShapeAndKeepsTheWinner() throws IOException {
        Path file = dir.resolve("tuning.json");
        try (ClBackend cl = backend(TuningCache.load(file))) {
            Gemm sameShape = FORWARD.named("t_tune_fwd_again");
            Kernel other = new SliceCopy("t_tune_copy", Dim.batch(3), 2, 3, 1, false);
            List<Tuner.Outcome> outcomes = new Tuner(cl).tune(List.of(FORWARD, other, sameShape), 16);
            assertThat(outcomes).hasSize(1);
            Tuner.Outcome o = outcomes.get(0);
            assertThat(o.trials()).extracting(Tuner.Trial::choice).containsExactlyElementsOf(FORWARD.candidates());
            assertThat(o.trials()).allSatisfy(t -> assertThat(t.ms()).isPositive());
            if (o.rematch().isEmpty()) {
                assertThat(o.chosen()).isEqualTo(FORWARD.defaults()).isEqualTo(Tuner.decide(o.trials()));
            } else {
                assertThat(o.rematch()).extracting(Tuner.Trial::choice).containsExactly(FORWARD.defaults(), Tuner.decide(o.trials()));
                assertThat(o.chosen()).isEqualTo(Tuner.decide(o.rematch()));
            }
            assertThat(String.join("\n", o.lines())).startsWith("t_tune_fwd (batch 16): " + FORWARD.shape())
                    .contains("(default)").contains("chosen: ");
            // the backend builds with the choice from now on, and so does the next run, from the file
            assertThat(cl.choice(FORWARD)).isEqualTo(o.chosen());
            assertThat(cl.choice(sameShape)).isEqualTo(o.chosen());
            TuningCache saved = TuningCache.load(file);
            assertThat(saved.warning()).isNull();
            assertThat(saved.entries(cl.device().key()).get(FORWARD.shape()).choice()).isEqualTo(o.chosen());
            assertThat(Files.readString(file)).contains(FORWARD.shape());
            assertThat(run(cl, sameShape, 16)).containsExactly(run(new dln.runtime.jvm.JvmBackend(), sameShape, 16), org.assertj.core.data.Offset.offset(1e-4f));
        }
    }

    /** C of the product at this batch, from fixed inputs. */
    private static float[] run(dln.runtime.Backend backend, Gemm g, int batch) {
        backend.compile(List.of(g));
        long[] sizes = g.sizes(batch);
        Random r = new Random(3);
        Buffer[] bufs = new Buffer[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            float[] v = new float[(int) sizes[i]];
            for (int j = 0; j < v.length; j++) v[j] = r.nextFloat() - 0.5f;
            bufs[i] = backend.allocate(v.length);
            backend.write(bufs[i], v);
        }
        backend.launch(g, batch, 0, bufs);
        float[] c = new float[(int) sizes[2]];
        backend.read(bufs[2], c);
        return c;
    }
}
