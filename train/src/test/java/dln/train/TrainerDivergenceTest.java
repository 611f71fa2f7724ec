package dln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dln.kernel.UpdateGroup;
import dln.net.Training;
import dln.runtime.Backend;
import dln.runtime.Buffer;
import dln.runtime.Model;
import dln.runtime.cl.ClBackend;
import dln.runtime.cl.Devices;
import dln.runtime.data.DataError;
import dln.runtime.data.Dataset;
import dln.runtime.jvm.JvmBackend;
import dln.runtime.kernel.Kernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose loss becomes NaN or infinite stops, naming the epoch and the first bad step, and
 * leaves the last checkpoint as it was: a learning rate that blows up, one extreme example, and an
 * update that breaks the weights in an epoch's last step, which no loss has seen yet.
 */
class TrainerDivergenceTest {
    private static final Pattern WHERE = Pattern.compile("training diverged in epoch (\\d+)/\\d+, step (\\d+) of (\\d+): ");

    @TempDir Path dir;

    /** Linear regression without shuffling: batch b of every epoch is examples 4b to 4b + 3. */
    static TrainerTest.Compiled line(String lr) {
        return TrainerTest.compile("""
                model Line {
                    input x: [2]
                    output y = x -> dense(1)
                }
                train Line {
                    loss      mse
                    optimizer sgd(lr: %s)
                    batch     4
                    epochs    4
                    seed      1
                    shuffle   false
                }
                """.formatted(lr));
    }

    /** n examples y = x0 + x1 with x ~ N(0, 1); example {@code extreme} (if in range) is x = [1e30, 1e30], finite as float32. */
    static Dataset data(int n, int extreme) {
        Random r = new Random(5);
        float[] x = new float[2 * n], y = new float[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i == extreme ? 1e30f : (float) r.nextGaussian();
            x[2 * i + 1] = i == extreme ? 1e30f : (float) r.nextGaussian();
            y[i] = x[2 * i] + x[2 * i + 1];
        }
        return new Dataset(new long[] {2}, x, n, 1, y, false);
    }

    static Trainer.Settings settings(Training t, long epochs, Path checkpoint, boolean resume) {
        return new Trainer.Settings(epochs, t.batch(), t.seed(), false, List.of(), null, null, List.of(), checkpoint, resume);
    }

    static Trainer.Listener live(boolean live) {
        return new Trainer.Listener() {
            @Override public boolean live() { return live; }
        };
    }

    /** The epoch and step (from 1) that a diverged run's message names. */
    static int[] where(Throwable e) {
        Matcher m = WHERE.matcher(e.getMessage());
        assertThat(m.find()).as(e.getMessage()).isTrue();
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    /**
     * The first step whose loss is not finite, found by training step by step and reading the loss
     * after each one (the wait per step that the trainer avoids): {epoch, step}, from 1.
     */
    static int[] firstBadStepReadEveryStep(TrainerTest.Compiled c, Dataset d, int epochs) {
        try (Model m = c.create()) {
            m.initialize(c.training().seed());
            for (int e = 0; e < epochs; e++) {
                for (int b = 0; b * 4 < d.count(); b++) {
                    Dataset batch = d.slice(4 * b, Math.min(d.count(), 4 * b + 4));
                    m.trainStep(batch.count(), batch.targets(), batch.inputs());
                    if (!Double.isFinite(m.takeMetrics().loss())) return new int[] {e + 1, b + 1};
                }
            }
        }
        throw new AssertionError("the loss stayed finite");
    }

    // A learning rate of 50 makes each SGD step overshoot more than the last, until the loss is
    // infinite and then NaN; the trainer reads the loss once an epoch (or every 1% of the steps with a
    // progress bar) and still names the very step where reading after every step finds it.
    @Test
    void aLearningRateThatBlowsUpStopsTheRunAtTheFirstBadStep() {
        TrainerTest.Compiled c = line("50");
        Dataset d = data(400, -1);
        int[] want = firstBadStepReadEveryStep(c, d, 4);
        assertThat(want[0] > 1 || want[1] > 1).as("diverges after a few steps, not at once").isTrue();
        for (boolean live : new boolean[] {false, true}) {
            try (Model m = c.create()) {
                m.initialize(c.training().seed());
                Trainer trainer = new Trainer(m, settings(c.training(), 4, null, false), live(live), false);
                assertThatThrownBy(() -> trainer.fit(Splits.of(c.training(), d, null, 1)))
                        .isInstanceOf(DataError.class)
                        .satisfies(e -> assertThat(where(e)).as("live %s", live).containsExactly(want))
                        .hasMessageContaining("of 100: the loss of that step's batch is ")
                        .hasMessageContaining("nothing was saved (no checkpoint folder)")
                        .hasMessageContaining("Try a lower learning rate (it is 50 in this epoch)");
            }
        }
    }

    // One extreme example, finite as float32 but whose squared error is not: with batches of 4 and
    // no shuffling, example 405 is in step 102 of 250 of every epoch. Two clean epochs are saved
    // first; the run resumed on the bad data stops in epoch 3 and leaves that checkpoint byte for byte.
    @Test
    void anExtremeExampleStopsTheRunAtItsStepAndTheCheckpointIsKept() throws IOException {
        TrainerTest.Compiled c = line("0.01");
        Path folder = dir.resolve("runs");
        try (Model m = c.create()) {
            m.initialize(c.training().seed());
            new Trainer(m, settings(c.training(), 2, folder, false), live(false), false).checkpointEvery(0)
                    .fit(Splits.of(c.training(), data(1000, -1), null, 1));
        }
        List<byte[]> before = files(folder);
        for (boolean live : new boolean[] {false, true}) {
            try (Model m = c.create()) {
                m.initialize(c.training().seed());
                Trainer trainer = new Trainer(m, settings(c.training(), 4, folder, true), live(live), false).checkpointEvery(0);
                assertThatThrownBy(() -> trainer.fit(Splits.of(c.training(), data(1000, 405), null, 1)))
                        .isInstanceOf(DataError.class)
                        .hasMessageStartingWith("training diverged in epoch 3/4, step 102 of 250: the loss of that step's batch is ")
                        .hasMessageContaining("infinite; " + folder + " still holds the checkpoint after epoch 2, untouched. Try a lower learning rate");
            }
            assertThat(files(folder)).as("live %s", live).containsExactlyElementsOf(before);
        }
    }

    // The device counts the finite steps on OpenCL as on the JVM: the same step is named.
    @Test
    void anExtremeExampleIsFoundAtItsStepOnOpenCl() {
        assumeTrue(!"1".equals(System.getenv("DLN_SKIP_OPENCL")), "DLN_SKIP_OPENCL=1");
        List<Devices.Device> devices = Devices.list();
        assertThat(devices).as("an OpenCL device (apt-get install pocl-opencl-icd), or DLN_SKIP_OPENCL=1").isNotEmpty();
        TrainerTest.Compiled c = line("0.01");
        try (Backend cl = new ClBackend(devices.get(0)); Model m = c.create(cl)) {
            m.initialize(c.training().seed());
            Trainer trainer = new Trainer(m, settings(c.training(), 4, null, false), live(false), false);
            assertThatThrownBy(() -> trainer.fit(Splits.of(c.training(), data(1000, 405), null, 1)))
                    .hasMessageStartingWith("training diverged in epoch 1/4, step 102 of 250: the loss of that step's batch is ");
        }
    }

    // The losses of an epoch were all finite, but its last update made a weight NaN (here a backend
    // that spoils the update of step 250): the run stops before writing those weights anywhere.
    @Test
    void weightsThatAreNotFiniteAreNeverSaved() throws IOException {
        TrainerTest.Compiled c = line("0.01");
        Path folder = dir.resolve("runs");
        try (Model m = c.create(spoilingTheUpdateOfStep(250))) {
            m.initialize(c.training().seed());
            Trainer trainer = new Trainer(m, settings(c.training(), 4, folder, false), live(false), false).checkpointEvery(0);
            assertThatThrownBy(() -> trainer.fit(Splits.of(c.training(), data(1000, -1), null, 1)))
                    .isInstanceOf(DataError.class)
                    .hasMessageStartingWith("training diverged in epoch 1/4, its last step: the loss of every step was finite, but the update"
                            + " of the last one made weight `dense_1.weight` NaN; no checkpoint was written before it, so " + folder
                            + " holds none of this run.");
        }
        assertThat(folder).doesNotExist();
        // With validation data, the validation loss after the epoch shows it first.
        try (Model m = c.create(spoilingTheUpdateOfStep(250))) {
            m.initialize(c.training().seed());
            Trainer trainer = new Trainer(m, settings(c.training(), 4, folder, false), live(false), true).checkpointEvery(0);
            assertThatThrownBy(() -> trainer.fit(new Splits(data(1000, -1), data(40, -1), null)))
                    .hasMessageStartingWith("training diverged in epoch 1/4, its last step: the loss of every step was finite, but the"
                            + " validation loss after it is NaN: its update made the weights NaN or infinite; no checkpoint was written");
        }
        assertThat(folder).doesNotExist();
    }

    /** The JVM backend, with the first parameter that the optimizer updates set to NaN after its {@code step}-th update. */
    static Backend spoilingTheUpdateOfStep(int step) {
        JvmBackend jvm = new JvmBackend();
        java.util.concurrent.atomic.AtomicInteger updates = new java.util.concurrent.atomic.AtomicInteger();
        return new Backend() {
            @Override public String description() { return "spoils step " + step; }
            @Override public Buffer allocate(long floats) { return jvm.allocate(floats); }
            @Override public void write(Buffer dst, float[] src, int from, int count) { jvm.write(dst, src, from, count); }
            @Override public void read(Buffer src, float[] dst, int to, int count) { jvm.read(src, dst, to, count); }
            @Override public void compile(java.util.function.Supplier<String> program, List<Kernel> kernels) { jvm.compile(program, kernels); }
            @Override public void finish() { jvm.finish(); }
            @Override public void close() {}
            @Override public void launch(Kernel k, int batch, int s, Buffer... args) {
                jvm.launch(k, batch, s, args);
                if (k instanceof UpdateGroup && updates.incrementAndGet() == step) {
                    float[] nan = new float[2];
                    Arrays.fill(nan, Float.NaN);
                    jvm.write(args[1], nan, 0, 2);   // args[0] is the hyper buffer, args[1] the first parameter
                }
            }
        };
    }

    private static List<byte[]> files(Path folder) throws IOException {
        try (var list = Files.list(folder)) {
            return list.sorted().map(p -> {
                try {
                    return Files.readAllBytes(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }
}
