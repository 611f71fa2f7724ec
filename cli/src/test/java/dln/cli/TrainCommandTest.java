package dln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `dlnc train` and `dlnc eval`: a real short run on the digits, checkpoints, and one-line errors with exit codes. */
class TrainCommandTest {
    static final Path DIGITS = Path.of("../samples/digits.dln");

    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    static Run dlnc(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Dlnc.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void digitsTrainTheLossFallsAndEvalAgrees() throws IOException {
        Path runs = dir.resolve("runs");
        Run r = dlnc("train", DIGITS.toString(), "--device", "java", "--epochs", "3", "--checkpoint", runs.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        List<Double> losses = Pattern.compile("(?m)^epoch \\d+/3  loss (\\S+)").matcher(r.out()).results()
                .map(m -> Double.parseDouble(m.group(1))).toList();
        assertThat(losses).hasSize(3);
        assertThat(losses.get(2)).isLessThan(losses.get(0));
        assertThat(r.out()).containsPattern("(?m)^epoch 1/3  loss \\S+  accuracy \\S+  val_loss \\S+  val_accuracy \\S+  lr 0\\.003  \\d+\\.\\d s$")
                .contains("data: 1257 training, 270 validation, 270 test examples; batch 32, 3 epochs");
        String[] lines = r.out().strip().split("\n");
        assertThat(lines[lines.length - 2]).matches("test accuracy: 0\\.\\d{4}");
        assertThat(lines[lines.length - 1]).matches("test loss: \\d\\.\\d{4}");
        double accuracy = Double.parseDouble(lines[lines.length - 2].substring("test accuracy: ".length()));
        assertThat(accuracy).isGreaterThan(0.8);
        assertThat(runs.resolve("best.safetensors")).isRegularFile();
        assertThat(Files.readAllLines(runs.resolve("log.csv"))).hasSize(4);

        Run e = dlnc("eval", DIGITS.toString(), "--device", "java", "--weights", runs.resolve("best.safetensors").toString());
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).contains("confusion matrix (rows: true class, columns: predicted):")
                .contains("evaluating Digits on 270 examples").contains("test accuracy: " + lines[lines.length - 2].substring(15));
    }

    @Test
    void resumeContinuesAFinishedCheckpointWithoutTraining() throws IOException {
        Path runs = dir.resolve("runs");
        assertThat(dlnc("train", DIGITS.toString(), "--device", "java", "--epochs", "1", "--checkpoint", runs.toString()).code()).isZero();
        Run r = dlnc("train", DIGITS.toString(), "--device", "java", "--epochs", "2", "--checkpoint", runs.toString(), "--resume");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("epoch 1/2").contains("epoch 2/2");
        assertThat(Files.readAllLines(runs.resolve("log.csv"))).hasSize(3);
    }

    static final String AUTOENCODER = """
            model Tiny {
                input image: [1, 8, 8]
                output r = image
                    -> conv2d(4, kernel: 3, stride: 2, padding: 1) -> relu
                    -> conv_transpose2d(1, kernel: 3, stride: 2, padding: 1, output_padding: 1) -> sigmoid
            }
            train Tiny {
                data      idx(images: "images.idx", scale: 1 / 255)
                test      idx(images: "images.idx", scale: 1 / 255)
                targets   inputs
                loss      mse
                optimizer adam(lr: 0.02)
                batch     16
                epochs    6
                metrics   mse
            }
            """;

    /**
     * `targets inputs` on idx images without labels: the model learns to reproduce its inputs, and
     * train and eval report the reconstruction error against them (an untrained one starts near
     * the images' variance around 0.5, stripes of 0 and 1: about 0.25).
     */
    @Test
    void anAutoencoderTrainsOnImagesWithoutLabels() throws IOException {
        int n = 96;
        java.io.ByteArrayOutputStream idx = new java.io.ByteArrayOutputStream();
        idx.writeBytes(new byte[] {0, 0, 8, 3, 0, 0, 0, (byte) n, 0, 0, 0, 8, 0, 0, 0, 8});
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 64; p++) idx.write((p / 8 + p % 8 + i) % 4 < 2 ? 255 : 0);   // diagonal stripes, shifted per image
        }
        Files.write(dir.resolve("images.idx"), idx.toByteArray());
        Path model = file("tiny.dln", AUTOENCODER);
        Path runs = dir.resolve("runs");
        Run r = dlnc("train", model.toString(), "--device", "java", "--checkpoint", runs.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<Double> losses = Pattern.compile("(?m)^epoch \\d+/6  loss (\\S+)  mse \\S+").matcher(r.out()).results()
                .map(m -> Double.parseDouble(m.group(1))).toList();
        assertThat(losses).as(r.out()).hasSize(6);
        assertThat(losses.get(5)).isLessThan(0.5 * losses.get(0));
        Matcher test = Pattern.compile("(?m)^test mse: (\\S+)$").matcher(r.out());
        assertThat(test.find()).as(r.out()).isTrue();
        assertThat(Double.parseDouble(test.group(1))).isLessThan(losses.get(0));

        Run e = dlnc("eval", model.toString(), "--device", "java", "--weights", runs.resolve("last.safetensors").toString());
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).contains("evaluating Tiny on 96 examples").contains("test mse: " + test.group(1));
    }

    static final String TWO_INPUTS = """
            model Mix {
                input a: [3]
                input b: [2]
                output y = concat(a, b) -> dense(1)
            }
            train Mix {
                data       npy(inputs: ["a.npy", "b.npy"], targets: "y.npy")
                validation 0.2
                loss       mse
                optimizer  adam(lr: 0.05)
                batch      16
                epochs     40
                seed       3
                metrics    mse
            }
            """;

    /** Several inputs train from one npy file each; the target needs both, so a mixed-up packing could not fit it. */
    @Test
    void aModelWithTwoInputsTrainsFromOneNpyFilePerInput() throws IOException {
        java.util.Random rnd = new java.util.Random(5);
        int n = 200;
        float[] a = new float[n * 3], b = new float[n * 2], y = new float[n];
        double mean = 0, var = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) a[i * 3 + k] = (float) rnd.nextGaussian();
            for (int k = 0; k < 2; k++) b[i * 2 + k] = (float) rnd.nextGaussian();
            y[i] = a[i * 3] + a[i * 3 + 1] - a[i * 3 + 2] - 2 * b[i * 2] + 0.5f * b[i * 2 + 1];
            mean += y[i] / n;
        }
        for (float v : y) var += (v - mean) * (v - mean) / n;
        dln.runtime.io.Npy.write(dir.resolve("a.npy"), new dln.runtime.io.Npy.Array(new long[] {n, 3}, a, false));
        dln.runtime.io.Npy.write(dir.resolve("b.npy"), new dln.runtime.io.Npy.Array(new long[] {n, 2}, b, false));
        dln.runtime.io.Npy.write(dir.resolve("y.npy"), new dln.runtime.io.Npy.Array(new long[] {n, 1}, y, false));
        Path model = file("mix.dln", TWO_INPUTS);
        Run r = dlnc("train", model.toString(), "--device", "java", "--checkpoint", dir.resolve("runs").toString());
        assertThat(r.code()).as(r.err()).isZero();
        Matcher last = Pattern.compile("epoch 40/40 .* val_mse (\\S+)").matcher(r.out());
        assertThat(last.find()).as(r.out()).isTrue();
        assertThat(Double.parseDouble(last.group(1))).as("validation mse against the targets' variance %s", var).isLessThan(0.01 * var);

        // --data names the folder that holds every file of the list
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        for (String name : List.of("a.npy", "b.npy", "y.npy")) Files.move(dir.resolve(name), elsewhere.resolve(name));
        Run moved = dlnc("train", model.toString(), "--device", "java", "--epochs", "1", "--data", elsewhere.toString());
        assertThat(moved.code()).as(moved.err()).isZero();

        Path oneFile = file("one.dln", TWO_INPUTS.replace("[\"a.npy\", \"b.npy\"]", "\"a.npy\""));
        Run wrong = dlnc("train", oneFile.toString(), "--device", "java");
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.err()).contains("error[DLN067]: npy data names 1 input file, but `Mix` has 2 inputs (`a`, `b`)");
    }

    static final String TWO_OUTPUTS = """
            model Heads {
                input x: [4]
                h = x -> dense(16) -> tanh
                output kind = h -> dense(2) -> softmax
                output size = h -> dense(1)
            }
            train Heads {
                data         npy(inputs: "x.npy", targets: ["kind.npy", "size.npy"])
                split        train: 0.7, validation: 0.15, test: 0.15
                loss         kind: cross_entropy, size: mse
                loss_weights size: 0.5
                optimizer    adam(lr: 0.02)
                batch        16
                epochs       30
                seed         4
            }
            """;

    /**
     * Two outputs train from one targets file each, in output order: the class depends on x0 + x1, the
     * size on x2 − x3, so targets swapped between the outputs or packed wrongly could not be learnt.
     */
    @Test
    void aModelWithTwoOutputsTrainsFromOneTargetsFilePerOutput() throws IOException {
        java.util.Random rnd = new java.util.Random(7);
        int n = 300;
        float[] x = new float[n * 4], kind = new float[n], size = new float[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 4; k++) x[i * 4 + k] = (float) rnd.nextGaussian();
            kind[i] = x[i * 4] + x[i * 4 + 1] > 0 ? 1 : 0;
            size[i] = x[i * 4 + 2] - x[i * 4 + 3];
        }
        dln.runtime.io.Npy.write(dir.resolve("x.npy"), new dln.runtime.io.Npy.Array(new long[] {n, 4}, x, false));
        dln.runtime.io.Npy.write(dir.resolve("kind.npy"), new dln.runtime.io.Npy.Array(new long[] {n}, kind, false));
        dln.runtime.io.Npy.write(dir.resolve("size.npy"), new dln.runtime.io.Npy.Array(new long[] {n, 1}, size, false));
        Path model = file("heads.dln", TWO_OUTPUTS);
        Path runs = dir.resolve("runs");
        Run r = dlnc("train", model.toString(), "--device", "java", "--checkpoint", runs.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Matcher first = Pattern.compile("epoch 1/30  loss (\\S+)  accuracy (\\S+)  val_loss (\\S+)").matcher(r.out());
        Matcher last = Pattern.compile("epoch 30/30  loss (\\S+)  accuracy (\\S+)  val_loss (\\S+)  val_accuracy (\\S+)").matcher(r.out());
        assertThat(first.find() && last.find()).as(r.out()).isTrue();
        // the weighted loss 1·cross-entropy + 0.5·mse starts near ln 2 + 0.5·2 and falls well below both parts' start
        assertThat(Double.parseDouble(last.group(3))).isLessThan(0.3 * Double.parseDouble(first.group(3)));
        assertThat(Double.parseDouble(last.group(4))).as("the first output's accuracy").isGreaterThan(0.9);

        Run e = dlnc("eval", model.toString(), "--device", "java", "--weights", runs.resolve("best.safetensors").toString());
        assertThat(e.code()).as(e.err()).isZero();
        assertThat(e.out()).contains("evaluating Heads on 45 examples").containsPattern("test loss: 0\\.\\d{4}");

        // a targets file with another count of examples is named
        dln.runtime.io.Npy.write(dir.resolve("size.npy"), new dln.runtime.io.Npy.Array(new long[] {n - 1, 1}, java.util.Arrays.copyOf(size, n - 1), false));
        Run bad = dlnc("train", model.toString(), "--device", "java", "--epochs", "1");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("size.npy: holds 299 targets (shape [299, 1]), but").contains("kind.npy holds targets for 300 examples");
    }

    /** CSV rows hold the inputs one after another: a, then b, then the class. */
    @Test
    void aModelWithTwoInputsTrainsFromCsvRowsHoldingBoth() throws IOException {
        java.util.Random rnd = new java.util.Random(6);
        StringBuilder csv = new StringBuilder("a0,a1,a2,b0,b1,label\n");
        for (int i = 0; i < 150; i++) {
            double[] v = new double[5];
            for (int k = 0; k < 5; k++) v[k] = rnd.nextGaussian();
            int label = v[0] + v[1] + v[2] - 2 * v[3] > 0 ? 1 : 0;
            for (double x : v) csv.append(String.format(java.util.Locale.ROOT, "%.4f,", x));
            csv.append(label).append('\n');
        }
        file("d.csv", csv.toString());
        Path model = file("mixc.dln", """
                model MixC {
                    input a: [3]
                    input b: [2]
                    output y = concat(a, b) -> dense(2) -> softmax
                }
                train MixC {
                    data       csv("d.csv", label_column: "label")
                    validation 0.2
                    loss       cross_entropy
                    optimizer  adam(lr: 0.05)
                    epochs     30
                    seed       2
                    metrics    accuracy
                }
                """);
        Run r = dlnc("train", model.toString(), "--device", "java", "--checkpoint", dir.resolve("runs").toString());
        assertThat(r.code()).as(r.err()).isZero();
        Matcher last = Pattern.compile("epoch 30/30 .* val_accuracy (\\S+)").matcher(r.out());
        assertThat(last.find()).as(r.out()).isTrue();
        assertThat(Double.parseDouble(last.group(1))).as("a rule on both inputs, learnt").isGreaterThan(0.9);
    }

    static final String TINY = """
            model Tiny {
                input x: [4]
                output y = x -> dense(3) -> softmax
            }
            train Tiny {
                data      csv("data.csv", label_column: 4)
                loss      cross_entropy
                optimizer sgd(0.1)
                epochs    2
            }
            """;

    @Test
    void aTrainBlockWritesCheckpointsOnlyBelowItsOwnFolder() throws IOException {
        file("data.csv", "a,b,c,d,label\n1,2,3,4,0\n1,2,3,4,2\n5,6,7,8,1\n");
        Path outside = Files.createDirectories(dir.getParent().resolve(dir.getFileName() + "-outside"));
        java.nio.file.Files.createSymbolicLink(dir.resolve("link"), outside);
        for (String named : new String[] {"../" + outside.getFileName() + "/runs", outside + "/runs", "link/runs"}) {
            Path f = file("tiny.dln", TINY.replace("epochs    2", "epochs    1\n    checkpoint \"" + named + "\""));
            Run r = dlnc("train", f.toString(), "--device", "java");
            assertThat(r.code()).as(named).isEqualTo(1);
            assertThat(r.err()).isEqualTo("dlnc: error: the train block's checkpoint folder \"" + named + "\" is outside " + dir
                    + ": a .dln file may only write below its own folder; to keep the checkpoints elsewhere, give the folder on the command line with --checkpoint DIR\n");
        }
        assertThat(outside).isEmptyDirectory();
        Path f = file("tiny.dln", TINY);
        assertThat(dlnc("train", f.toString(), "--device", "java", "--checkpoint", outside.resolve("runs").toString()).code()).isZero();
        assertThat(outside.resolve("runs/best.safetensors")).isRegularFile();
        f = file("tiny.dln", TINY.replace("epochs    2", "epochs    1\n    checkpoint \"runs/inside\""));
        assertThat(dlnc("train", f.toString(), "--device", "java").code()).isZero();
        assertThat(dir.resolve("runs/inside/best.safetensors")).isRegularFile();
    }

    @Test
    void aMissingDataFileIsOneLineAndExitOne() throws IOException {
        Path f = file("tiny.dln", TINY);
        Run r = dlnc("train", f.toString(), "--device", "java");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("dlnc: error: " + dir.resolve("data.csv") + ": no such file\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aLabelOutsideTheClassesNamesTheLine() throws IOException {
        Path f = file("tiny.dln", TINY);
        file("data.csv", "a,b,c,d,label\n1,2,3,4,0\n1,2,3,4,2\n5,6,7,8,3\n");
        Run r = dlnc("train", f.toString(), "--device", "java");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("dlnc: error: " + dir.resolve("data.csv") + ":4")
                .contains("label 3 is outside [0, 3)").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void aNonNumericCellNamesLineAndColumn() throws IOException {
        Path f = file("tiny.dln", TINY);
        file("data.csv", "a,b,c,d,label\n1,2,3,4,0\n1,x,3,4,2\n");
        Run r = dlnc("train", f.toString(), "--device", "java");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("dlnc: error: " + dir.resolve("data.csv") + ":3: column 2");
    }

    @Test
    void aNanInTheDataIsOneLineNamingWhereAndExitOne() throws IOException {
        Path f = file("tiny.dln", TINY);
        file("data.csv", "a,b,c,d,label\n1,2,3,4,0\n1,2,-1e40,4,2\n");
        Run r = dlnc("train", f.toString(), "--device", "java");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("dlnc: error: " + dir.resolve("data.csv") + ":3: column 3 (\"c\"): -1e40 is beyond float32's range"
                + " (±3.4028235e38); the data must be finite float32 numbers\n");
    }

    // A learning rate that makes the loss blow up: exit 1 with the epoch, the step and what to try,
    // and the checkpoint of the epochs before it kept (here none: the first epoch diverges).
    @Test
    void aDivergingRunStopsWithWhereAndWhatToTry() throws IOException {
        Path f = file("diverge.dln", """
                model Reg {
                    input x: [2]
                    output y = x -> dense(8) -> relu -> dense(1)
                }
                train Reg {
                    data      inline(inputs: [[0, 0], [0, 1], [1, 0], [1, 1], [2, 1], [1, 2], [3, 1], [0, 3]],
                                     targets: [[0], [1], [1], [2], [3], [3], [4], [3]])
                    loss      mse
                    optimizer sgd(lr: 1e6)
                    batch     2
                    epochs    5
                    seed      1
                    checkpoint "runs"
                }
                """);
        Run r = dlnc("train", f.toString(), "--device", "java");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("dlnc: error: training diverged in epoch 1/5, step ").contains(" of 4: the loss of that step's batch is ")
                .contains("Try a lower learning rate (it is 1000000 in this epoch)").doesNotContain("\tat ");
        // the run held the folder (its lock file) but saved nothing in it
        try (var files = Files.list(dir.resolve("runs"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(".lock");
        }
    }

    @Test
    void aSmallModelTrainsFromACsvAndWritesItsCheckpointWhereAsked() throws IOException {
        Path f = file("tiny.dln", TINY);
        StringBuilder csv = new StringBuilder("a,b,c,d,label\n");
        for (int i = 0; i < 30; i++) csv.append(i % 3).append(",1,0,").append(i % 2).append(',').append(i % 3).append('\n');
        file("data.csv", csv.toString());
        Run r = dlnc("train", f.toString(), "--device", "java", "--checkpoint", dir.resolve("cp").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("epoch 2/2").contains("no test data");
        assertThat(dir.resolve("cp/last.safetensors")).isRegularFile();
    }

    @Test
    void resumeWithoutACheckpointFolderIsAUsageError() throws IOException {
        Path f = file("tiny.dln", TINY);
        file("data.csv", "a,b,c,d,label\n1,2,3,4,0\n");
        Run r = dlnc("train", f.toString(), "--device", "java", "--resume");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--resume needs a checkpoint folder");
    }

    /** The command line carries no Spark: without the spark module on the class path, --master says how to get it. */
    @Test
    void masterWithoutTheSparkModuleIsAUsageErrorThatSaysWhatToBuild() throws IOException {
        Path f = file("tiny.dln", TINY);
        file("data.csv", "a,b,c,d,label\n1,2,3,4,0\n");
        Run r = dlnc("train", f.toString(), "--device", "java", "--master", "local[2]");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--master needs the spark module").contains("spark-submit").doesNotContain("Exception");
        assertThat(r.out()).doesNotContain("epoch 1/");
    }

    @Test
    void evalWithoutTestDataSaysHowToGiveSome() throws IOException {
        Path f = file("tiny.dln", TINY);
        file("data.csv", "a,b,c,d,label\n1,2,3,4,0\n");
        Path w = dir.resolve("w.safetensors");
        Run p = dlnc("train", f.toString(), "--device", "java", "--checkpoint", dir.resolve("cp").toString());
        assertThat(p.code()).as(p.err()).isZero();
        Run r = dlnc("eval", f.toString(), "--device", "java", "--weights", dir.resolve("cp/last.safetensors").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("no test data").contains("--test");
        Run all = dlnc("eval", f.toString(), "--device", "java", "--weights", dir.resolve("cp/last.safetensors").toString(),
                "--data", dir.resolve("data.csv").toString());
        assertThat(all.code()).as(all.err()).isZero();
        assertThat(all.out()).contains("evaluating Tiny on 1 example,").contains("test loss:");
        assertThat(w).doesNotExist();
    }

    /** dlnc train on the digits for 1000 epochs in another JVM, output in out.txt; returns once its first checkpoint is on disk. */
    /**
     * The digits sample without its early stop, beside a copy of its data: a run of 1000 epochs that is still going when a
     * test stops it (with early stopping the JVM backend ends on its own within a couple of seconds, before the kill).
     */
    private Path endlessDigits() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.copy(Path.of("../samples/data/digits.csv.gz"), dir.resolve("data/digits.csv.gz"));
        String text = Files.readString(DIGITS);
        assertThat(text).contains("    early_stop monitor: val_loss, patience: 5\n");
        return file("digits.dln", text.replace("    early_stop monitor: val_loss, patience: 5\n", ""));
    }

    private Process trainUntilTheFirstCheckpoint(Path runs) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dln.cli.Dlnc", "train", endlessDigits().toString(), "--device", "java",
                "--epochs", "1000", "--checkpoint", runs.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        Path state = runs.resolve("optimizer.safetensors");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(state) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        if (!Files.exists(state)) p.destroyForcibly().waitFor();
        assertThat(state).as(Files.readString(dir.resolve("out.txt"))).exists();
        return p;
    }

    @Test
    void aRunKilledWithSigkillLeavesALoadableCheckpointThatResumes() throws Exception {
        Path runs = dir.resolve("runs");
        Path state = runs.resolve("optimizer.safetensors");
        Process p = trainUntilTheFirstCheckpoint(runs);
        try {
            Thread.sleep(700 + new java.util.Random().nextInt(600));   // most likely inside the next checkpoint's writes
            assertThat(p.isAlive()).as("still training when killed").isTrue();
        } finally {
            p.destroyForcibly().waitFor();  // SIGKILL on Linux: no shutdown hooks, no finally blocks
        }
        for (String name : List.of("best.safetensors", "last.safetensors", "optimizer.safetensors")) {
            assertThat(dln.runtime.io.Safetensors.read(runs.resolve(name))).as(name).isNotEmpty();
        }
        long done = Long.parseLong(dln.runtime.io.Safetensors.metadata(state).get("epoch"));
        assertThat(Files.readAllLines(runs.resolve("log.csv"))).hasSizeGreaterThanOrEqualTo((int) done + 1);
        Run r = dlnc("train", dir.resolve("digits.dln").toString(), "--device", "java", "--epochs", Long.toString(done + 1), "--checkpoint", runs.toString(),
                "--resume");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("epoch " + (done + 1) + "/" + (done + 1)).doesNotContain("epoch 1/");
        try (var files = Files.list(runs)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("temporary files are swept")
                    .containsExactlyInAnyOrder("best.safetensors", "last.safetensors", "optimizer.safetensors", "log.csv", "curves.svg",
                            dln.train.FolderLock.NAME);
        }
    }

    /** Two runs on one folder: the second stops at once and names the first; eval reads the folder meanwhile; kill -9 frees it. */
    @Test
    void aSecondRunOnACheckpointFolderInUseFailsNamingTheHolder() throws Exception {
        Path runs = dir.resolve("runs");
        Process p = trainUntilTheFirstCheckpoint(runs);
        try {
            Run second = dlnc("train", DIGITS.toString(), "--device", "java", "--epochs", "1", "--checkpoint", runs.toString());
            assertThat(second.code()).isEqualTo(1);
            assertThat(second.err()).startsWith("dlnc: error: " + runs + ": the checkpoint folder is in use by another run (pid " + p.pid() + ", started ")
                    .endsWith(": dlnc train " + dir.resolve("digits.dln") + " --device java --epochs 1000 --checkpoint " + runs + "); wait for that run to end or stop it (kill "
                            + p.pid() + "), or train into another folder with --checkpoint DIR\n");
            assertThat(second.out()).isEmpty();
            Run eval = dlnc("eval", DIGITS.toString(), "--device", "java", "--weights", runs.resolve("last.safetensors").toString());
            assertThat(eval.code()).as("reading a checkpoint needs no lock: %s", eval.err()).isZero();
        } finally {
            p.destroyForcibly().waitFor();   // SIGKILL: the lock file stays, with no lock on it
        }
        Run after = dlnc("train", DIGITS.toString(), "--device", "java", "--epochs", "1", "--checkpoint", runs.toString());
        assertThat(after.code()).as(after.err()).isZero();
        assertThat(after.err()).as("a dead run's lock is taken over without a word").isEmpty();
        assertThat(runs.resolve(dln.train.FolderLock.NAME)).as("emptied on release").isEmptyFile();
    }

    @Test
    void aFolderHeldInThisProcessTurnsARunAway() throws Exception {
        Path f = file("tiny.dln", TINY);
        file("data.csv", "a,b,c,d,label\n1,2,3,4,0\n");
        Path runs = dir.resolve("cp");
        try (dln.train.FolderLock held = dln.train.FolderLock.take(runs, "a test")) {
            Run r = dlnc("train", f.toString(), "--device", "java", "--checkpoint", runs.toString());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).startsWith("dlnc: error: " + runs + ": the checkpoint folder is in use by another run in this process (pid "
                    + ProcessHandle.current().pid());
            assertThat(runs.resolve("last.safetensors")).doesNotExist();
        }
        assertThat(dlnc("train", f.toString(), "--device", "java", "--checkpoint", runs.toString()).code()).isZero();
    }

    @Test
    void anInterruptedRunSaysWhatTheCheckpointHoldsAndHowToGoOn() throws Exception {
        Path runs = dir.resolve("my runs");
        Path state = runs.resolve("optimizer.safetensors");
        Process p = trainUntilTheFirstCheckpoint(runs);
        p.destroy();   // SIGTERM, as Ctrl-C's SIGINT: the JVM runs its shutdown hooks
        p.waitFor();
        String out = Files.readString(dir.resolve("out.txt"));
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("dlnc: interrupted in epoch (\\d+)/1000; (.+) holds (\\d+) epochs?: `dlnc train (\\S+) --epochs 1000 --checkpoint '(.+)' --resume` goes on from there")
                .matcher(out);
        assertThat(m.find()).as(out).isTrue();
        long held = Long.parseLong(m.group(3));
        assertThat(Long.parseLong(dln.runtime.io.Safetensors.metadata(state).get("epoch"))).as("what the checkpoint holds").isEqualTo(held);
        assertThat(Long.parseLong(m.group(1))).isGreaterThanOrEqualTo(held);
        assertThat(m.group(5)).isEqualTo(runs.toString());
        assertThat(Train.quoted("it's")).isEqualTo("'it'\\''s'");
    }

    @Test
    void xorTrainsInASecondAndShowsItsTruthTable() {
        Run r = dlnc("train", "../samples/xor.dln", "--device", "java");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines().filter(l -> l.startsWith("epoch ")).count()).as("2000 epochs, about 100 lines").isBetween(90L, 110L);
        assertThat(r.out()).contains("epoch 2000/2000").containsPattern("\\[0, 1\\] -> \\[0\\.9\\d+\\]   \\[1\\]")
                .containsPattern("\\[1, 1\\] -> \\[0\\.0\\d+\\]   \\[0\\]");
    }

    @Test
    void thePerceptronLearnsAndOneSampleAtATime() {
        Run r = dlnc("train", "../samples/perceptron.dln", "--device", "java");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("batch 1, 20 epochs").contains("[0, 1] -> [0]   [0]").contains("[1, 1] -> [1]   [1]");
    }

    @Test
    void trainingStartsFromGivenWeights() {
        Path runs = dir.resolve("runs");
        assertThat(dlnc("train", DIGITS.toString(), "--device", "java", "--epochs", "4", "--checkpoint", runs.toString()).code()).isZero();
        Run r = dlnc("train", DIGITS.toString(), "--device", "java", "--epochs", "1", "--checkpoint", dir.resolve("again").toString(),
                "--weights", runs.resolve("last.safetensors").toString());
        assertThat(r.code()).as(r.err()).isZero();
        Matcher m = Pattern.compile("epoch 1/1  loss (\\S+)").matcher(r.out());
        assertThat(m.find()).isTrue();
        assertThat(number(m)).as("a trained start: the first epoch's loss is low").isLessThan(0.5);
        Run bad = dlnc("train", DIGITS.toString(), "--device", "java", "--weights", dir.resolve("none.safetensors").toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo("dlnc: error: " + dir.resolve("none.safetensors") + ": no such file\n");
    }

    static double number(Matcher m) { return Double.parseDouble(m.group(1)); }
}
