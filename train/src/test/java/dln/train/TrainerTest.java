package dln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dln.Compiler;
import dln.diag.Source;
import dln.emit.InMemoryJavac;
import dln.net.Training;
import dln.runtime.Backend;
import dln.runtime.Model;
import dln.runtime.data.Dataset;
import dln.runtime.io.Safetensors;
import dln.runtime.jvm.JvmBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training loop on a tiny compiled model (JVM backend): learning, early stopping with the best
 * weights restored, checkpoint files that load, and a run killed after an epoch that resumes to
 * the very weights of an uninterrupted run, with dropout, Adam, a plateau schedule, shuffling
 * and every augmentation in play.
 */
class TrainerTest {
    static final String TINY = """
            model Tiny {
                input x: [1, 4, 4]
                output y = x -> flatten -> dense(12) -> relu -> dropout(0.2) -> dense(3) -> softmax
            }
            train Tiny {
                loss       cross_entropy
                optimizer  adam(lr: 0.02)
                schedule   plateau(factor: 0.5, patience: 0)
                batch      8
                epochs     6
                seed       3
                validation 0.25
                augment    shift(1), flip(horizontal), noise(0.05)
                metrics    accuracy
            }
            """;

    @TempDir Path dir;

    record Compiled(Class<? extends Model> type, Training training) {
        Model create() { return create(new JvmBackend()); }

        Model create(Backend backend) {
            try {
                return type.getConstructor(Backend.class, int.class).newInstance(backend, 64);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
    }

    static Compiled compile(String dln) {
        Compiler.Result r = Compiler.check(Source.of("tiny.dln", dln));
        assertThat(r.ok()).as("%s", r.diagnostics().all()).isTrue();
        Compiler.Generated g = Compiler.generate(r, "dln.test.train", "tiny.dln").get(0);
        ClassLoader loader = InMemoryJavac.compile(Map.of(g.packageName() + "." + g.className(), g.java()), Map.of(g.openclPath(), g.opencl()));
        try {
            return new Compiled(loader.loadClass(g.packageName() + "." + g.className()).asSubclass(Model.class), r.trainings().get(g.model()));
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    /** Three classes of 4×4 images: a bright row at the top, the middle or the bottom, with noise. */
    static Splits data(Training t) {
        Random r = new Random(11);
        int n = 96;
        float[] x = new float[n * 16], y = new float[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            y[i] = c;
            for (int k = 0; k < 16; k++) x[i * 16 + k] = (float) (0.2 * r.nextGaussian() + (k / 4 == c + (c == 2 ? 1 : 0) ? 1 : 0));
        }
        return Splits.of(t, new Dataset(new long[] {1, 4, 4}, x, n, 1, y, true), null, t.seed());
    }

    static Trainer.Settings settings(Training t, long epochs, Path checkpoint, boolean resume, Training.EarlyStop stop) {
        return new Trainer.Settings(epochs, t.batch(), t.seed(), t.shuffle(), t.augment(), t.schedule(), stop, List.of("accuracy"),
                checkpoint, resume);
    }

    static final Compiled TINY_MODEL = compile(TINY);

    @Test
    void theLossGoesDownAndTheLogHasEveryEpoch() throws IOException {
        Training t = TINY_MODEL.training();
        try (Model m = TINY_MODEL.create()) {
            m.initialize(t.seed());
            Trainer.Result r = new Trainer(m, settings(t, 6, null, false, null), new Trainer.Listener() {}, true).fit(data(t));
            assertThat(r.log()).hasSize(6);
            assertThat(r.log().get(5).values().get("loss")).isLessThan(r.log().get(0).values().get("loss"));
            assertThat(r.log().get(5).values()).containsKeys("loss", "accuracy", "val_loss", "val_accuracy");
            assertThat(r.log().get(5).values().get("val_accuracy")).isGreaterThan(0.6);
            assertThat(r.monitor()).isEqualTo("val_loss");
        }
    }

    // ---- a step in two halves, as dln.spark's workers take it

    @Test
    void applyingItsOwnGradientsIsATrainStep() {
        Training t = TINY_MODEL.training();
        Splits d = data(t);
        float[] x = Arrays.copyOf(d.train().inputs(), 8 * 16), y = Arrays.copyOf(d.train().targets(), 8);
        try (Model whole = TINY_MODEL.create(); Model halves = TINY_MODEL.create()) {
            whole.initialize(t.seed());
            halves.initialize(t.seed());
            for (int step = 0; step < 3; step++) {
                whole.trainStep(8, y, x);
                halves.computeGradients(8, y, x);
                halves.applyGradients(halves.gradients());
            }
            assertThat(halves.steps()).isEqualTo(whole.steps());
            for (String p : whole.parameterNames()) assertThat(halves.parameter(p)).as(p).containsExactly(whole.parameter(p));
        }
    }

    @Test
    void twoSharesGradientsWeightedBySizeAddUpToTheWholeBatchs() {
        Compiled plain = compile(TINY.replace(" -> dropout(0.2)", ""));
        Training t = plain.training();
        Splits d = data(t);
        float[] x = d.train().inputs(), y = d.train().targets();
        try (Model whole = plain.create(); Model shares = plain.create()) {
            whole.initialize(t.seed());
            shares.initialize(t.seed());
            whole.trainStep(8, y, x);
            shares.computeGradients(3, y, x);
            float[] sum = shares.gradients();
            for (int i = 0; i < sum.length; i++) sum[i] *= 3f / 8;
            shares.setSteps(0);   // the second share is the same step
            shares.computeGradients(5, Arrays.copyOfRange(y, 3, 8), Arrays.copyOfRange(x, 3 * 16, 8 * 16));
            float[] second = shares.gradients();
            for (int i = 0; i < sum.length; i++) sum[i] += second[i] * 5f / 8;
            shares.applyGradients(sum);
            assertThat(shares.trainedParameters()).isNotEmpty();
            for (String p : whole.parameterNames()) {
                float[] a = whole.parameter(p), b = shares.parameter(p);
                for (int i = 0; i < a.length; i++) assertThat(b[i]).as("%s[%d]", p, i).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-6f));
            }
            assertThatThrownBy(() -> shares.applyGradients(new float[3])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not 3");
        }
    }

    // A first step that runs long (an OpenCL driver compiling kernels) is reported while it lasts,
    // once; a quick one is not.
    @Test
    void aSlowFirstStepIsReportedOnceWhileItLasts() throws IOException {
        Training t = TINY_MODEL.training();
        java.util.concurrent.atomic.AtomicInteger launches = new java.util.concurrent.atomic.AtomicInteger();
        JvmBackend jvm = new JvmBackend();
        Backend slowAtFirst = new Backend() {   // the JVM backend, its first training launch 1.5 s late
            @Override public String description() { return "slow at first"; }
            @Override public dln.runtime.Buffer allocate(long floats) { return jvm.allocate(floats); }
            @Override public void write(dln.runtime.Buffer dst, float[] src, int from, int count) { jvm.write(dst, src, from, count); }
            @Override public void read(dln.runtime.Buffer src, float[] dst, int to, int count) { jvm.read(src, dst, to, count); }
            @Override public void compile(java.util.function.Supplier<String> program, List<dln.runtime.kernel.Kernel> kernels) { jvm.compile(program, kernels); }
            @Override public void finish() { jvm.finish(); }
            @Override public void close() {}
            @Override public void launch(dln.runtime.kernel.Kernel k, int batch, int step, dln.runtime.Buffer... args) {
                if (step > 0 && launches.getAndIncrement() == 0) {
                    try {
                        Thread.sleep(1500);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                jvm.launch(k, batch, step, args);
            }
        };
        for (long after : new long[] {100, 60_000}) {
            launches.set(0);
            List<Double> said = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (Model m = TINY_MODEL.create(slowAtFirst)) {
                m.initialize(t.seed());
                new Trainer(m, settings(t, 2, null, false, null), new Trainer.Listener() {
                    @Override public void slowFirstStep(double seconds) { said.add(seconds); }
                }, true).slowFirstStepAfter(after).fit(data(t));
            }
            assertThat(said).as("reported after %d ms", after).hasSize(after == 100 ? 1 : 0);
        }
    }

    @Test
    void aResumedRunEndsWithTheWeightsOfAnUninterruptedOne() throws IOException {
        Training t = TINY_MODEL.training();
        Map<String, Safetensors.Tensor> uninterrupted;
        List<Trainer.Epoch> fullLog;
        try (Model m = TINY_MODEL.create()) {
            m.initialize(t.seed());
            Trainer.Result r = new Trainer(m, settings(t, 6, dir.resolve("a"), false, null), new Trainer.Listener() {}, true).fit(data(t));
            uninterrupted = m.weights();
            fullLog = r.log();
        }
        try (Model m = TINY_MODEL.create()) {
            m.initialize(t.seed());
            Trainer.Listener killer = new Trainer.Listener() {
                @Override public void epochEnded(Trainer.Epoch e, boolean last) {
                    if (e.epoch() == 2) throw new IllegalStateException("killed");
                }
            };
            assertThatThrownBy(() -> new Trainer(m, settings(t, 6, dir.resolve("b"), false, null), killer, true).checkpointEvery(0).fit(data(t)))
                    .hasMessage("killed");
        }
        assertThat(Files.readAllLines(dir.resolve("b/log.csv"))).hasSize(1 + 3);
        try (Model m = TINY_MODEL.create()) {
            m.initialize(99);   // whatever it starts from, the checkpoint decides
            Trainer.Result r = new Trainer(m, settings(t, 6, dir.resolve("b"), true, null), new Trainer.Listener() {}, true).fit(data(t));
            assertThat(r.startEpoch()).isEqualTo(3);
            assertThat(r.log()).hasSize(6);
            for (var e : uninterrupted.entrySet()) {
                assertThat(m.weights().get(e.getKey()).data()).as(e.getKey()).isEqualTo(e.getValue().data());
            }
            for (int e = 0; e < 6; e++) {
                assertThat(r.log().get(e).values()).isEqualTo(fullLog.get(e).values());
                assertThat(r.log().get(e).lr()).isEqualTo(fullLog.get(e).lr());
            }
        }
        assertThat(Files.readString(dir.resolve("b/log.csv")).lines().map(l -> l.substring(0, l.lastIndexOf(','))).toList())
                .isEqualTo(Files.readString(dir.resolve("a/log.csv")).lines().map(l -> l.substring(0, l.lastIndexOf(','))).toList());
    }

    @Test
    void earlyStoppingStopsAndRestoresTheBestWeights() throws IOException {
        Training t = TINY_MODEL.training();
        try (Model m = TINY_MODEL.create()) {
            m.initialize(t.seed());
            // Nothing beats the first epoch by 100: stop after `patience` more epochs, back to epoch 1's weights.
            Training.EarlyStop stop = new Training.EarlyStop("loss", 2, 100);
            Trainer.Result r = new Trainer(m, settings(t, 10, dir, false, stop), new Trainer.Listener() {}, true).fit(data(t));
            assertThat(r.log()).hasSize(3);
            assertThat(r.stoppedEarly()).isTrue();
            assertThat(r.bestEpoch()).isZero();
            assertThat(r.restored()).isTrue();
            Map<String, Safetensors.Tensor> best = Safetensors.read(dir.resolve(Checkpoint.BEST));
            for (var e : best.entrySet()) assertThat(m.parameter(e.getKey())).isEqualTo(e.getValue().data());
        }
    }

    @Test
    void checkpointFilesLoadIntoTheModel() throws IOException {
        Training t = TINY_MODEL.training();
        try (Model m = TINY_MODEL.create()) {
            m.initialize(t.seed());
            new Trainer(m, settings(t, 2, dir, false, null), new Trainer.Listener() {}, true).fit(data(t));
            try (Model other = TINY_MODEL.create()) {
                other.load(dir.resolve(Checkpoint.LAST));
                for (String name : m.parameterNames()) assertThat(other.parameter(name)).isEqualTo(m.parameter(name));
                other.load(dir.resolve(Checkpoint.BEST));
            }
            assertThat(Files.readAllLines(dir.resolve(Checkpoint.LOG)))
                    .first().isEqualTo("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds");
            assertThat(Safetensors.metadata(dir.resolve(Checkpoint.STATE))).containsEntry("epoch", "2").containsEntry("dln.model", "Tiny");
            String svg = Files.readString(dir.resolve(Checkpoint.CURVES));
            assertThat(svg).contains("Tiny: loss", "Tiny: accuracy", ">val_accuracy</text>").containsPattern("<polyline points=\"[0-9., ]+\"");
            try {
                javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                        .parse(new java.io.ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
                throw new AssertionError("curves.svg is not well-formed XML", e);
            }
        }
    }

    @Test
    void theOptimizerStateRoundTripsThroughSaveState() throws IOException {
        Training t = TINY_MODEL.training();
        try (Model m = TINY_MODEL.create(); Model other = TINY_MODEL.create()) {
            m.initialize(t.seed());
            new Trainer(m, settings(t, 1, null, false, null), new Trainer.Listener() {}, true).fit(data(t));
            m.saveState(dir.resolve("state.safetensors"));
            other.initialize(0);
            other.loadState(dir.resolve("state.safetensors"));
            assertThat(other.steps()).isEqualTo(m.steps()).isEqualTo(9);   // 72 training examples in batches of 8
            assertThat(m.optimizerState()).isNotEmpty();
            m.optimizerState().forEach((k, v) -> assertThat(other.optimizerState().get(k).data()).as(k).isEqualTo(v.data()));
            assertThatThrownBy(() -> other.loadState(dir.resolve(Checkpoint.LAST))).isInstanceOf(java.nio.file.NoSuchFileException.class);
        }
    }

    @Test
    void resumingWithoutACheckpointSaysWhy() {
        Training t = TINY_MODEL.training();
        try (Model m = TINY_MODEL.create()) {
            m.initialize(t.seed());
            assertThatThrownBy(() -> new Trainer(m, settings(t, 2, dir.resolve("none"), true, null), new Trainer.Listener() {}, true)
                    .fit(data(t))).hasMessageContaining("nothing to resume");
        }
    }
}
