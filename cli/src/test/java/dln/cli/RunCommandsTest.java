package dln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dln.emit.PyTorchParityTest;
import dln.runtime.cl.TuningCache;
import dln.runtime.kernel.Choice;
import dln.runtime.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands that generate and run code: -o, predict, bench and devices, with their errors and exit codes. */
class RunCommandsTest {
    @TempDir Path dir;

    static final String TINY = "model Tiny {\n input x: [3]\n output y = x -> dense(2) -> softmax\n}\n";
    /** The compiler's fixtures of weights trained in PyTorch (PyTorchParityTest). */
    static final Path PYTORCH = Path.of("../compiler/src/test/resources/pytorch");

    Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test void outputFolderGetsJavaAndOpenClInPackageFoldersTheSameBytesEachTime() throws IOException {
        Path f = file("tiny.dln", TINY);
        DlncTest.Run r = DlncTest.dlnc(f.toString(), "-o", dir.resolve("gen").toString(), "--package", "com.example");
        assertThat(r.code()).as(r.err()).isZero();
        Path java = dir.resolve("gen/com/example/Tiny.java"), cl = dir.resolve("gen/com/example/Tiny.cl");
        String first = Files.readString(java);
        assertThat(first).startsWith("package com.example;").contains("public final class Tiny extends Model");
        assertThat(Files.readString(cl)).contains("__kernel void dense_1_fwd_softmax(");   // its softmax folded in at inference
        assertThat(DlncTest.dlnc(f.toString(), "-o", dir.resolve("gen").toString(), "--package", "com.example").code()).isZero();
        assertThat(Files.readString(java)).isEqualTo(first);
        assertThat(first).doesNotContain(dir.toString());
    }

    @Test void aBadPackageNameIsAUsageError() throws IOException {
        DlncTest.Run r = DlncTest.dlnc(file("tiny.dln", TINY).toString(), "-o", dir.toString(), "--package", "com.class");
        assertThat(r.code()).isEqualTo(Dlnc.USAGE);
        assertThat(r.err()).contains("`com.class` is not a Java package name");
    }

    @Test void predictWritesOutputsOfTheRightShape() throws IOException {
        Path x = dir.resolve("x.npy");
        Npy.write(x, new Npy.Array(new long[] {4, 3}, new float[12], false));
        DlncTest.Run r = DlncTest.dlnc("predict", file("tiny.dln", TINY).toString(), "--input", x.toString(), "--output", dir.resolve("y.npy").toString(), "--device", "java", "--untrained");
        assertThat(r.code()).as(r.err()).isZero();
        Npy.Array y = Npy.read(dir.resolve("y.npy"));
        assertThat(y.shape()).containsExactly(4, 2);
        assertThat(y.data()[0] + y.data()[1]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test void predictReadsAndWritesCsv() throws IOException {
        Path x = file("x.csv", "a,b,c\n1,2,3\n4,5,6\n");
        DlncTest.Run r = DlncTest.dlnc("predict", file("tiny.dln", TINY).toString(), "-i", x.toString(), "--csv-header", "-o", dir.resolve("y.csv").toString(), "--device", "java", "--untrained");
        assertThat(r.code()).as(r.err()).isZero();
        java.util.List<String> lines = Files.readAllLines(dir.resolve("y.csv"));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("y_0,y_1");
        String[] row = lines.get(1).split(",");
        assertThat(Float.parseFloat(row[0]) + Float.parseFloat(row[1])).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
        DlncTest.Run bad = DlncTest.dlnc("predict", file("tiny.dln", TINY).toString(), "-i", file("bad.csv", "1,2,3\n4,x,6\n").toString(), "-o", dir.resolve("z.csv").toString(), "--device", "java", "--untrained");
        assertThat(bad.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(bad.err()).contains("bad.csv:2: column 2: \"x\" is not a number");
    }

    @Test void predictRefusesInputsThatAreNotFinite() throws IOException {
        Path x = dir.resolve("x.npy"), csv = file("x.csv", "1,2,3\n4,1e39,6\n");
        Npy.write(x, new Npy.Array(new long[] {2, 3}, new float[] {1, 2, 3, 4, Float.NaN, 6}, false));
        DlncTest.Run r = DlncTest.dlnc("predict", file("tiny.dln", TINY).toString(), "-i", x.toString(), "-o", dir.resolve("y.npy").toString(), "--device", "java", "--untrained");
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.err()).endsWith("dlnc: error: " + x + ": example 1, index [1, 1]: the value is NaN; the inputs must be finite numbers"
                + " (NumPy's np.isfinite(a).all() checks an array)\n");
        assertThat(dir.resolve("y.npy")).doesNotExist();
        DlncTest.Run c = DlncTest.dlnc("predict", file("tiny.dln", TINY).toString(), "-i", csv.toString(), "-o", dir.resolve("y.csv").toString(), "--device", "java", "--untrained");
        assertThat(c.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(c.err()).contains("x.csv:2: column 2: 1e39 is beyond float32's range");
    }

    @Test void predictNamesAnInputOfTheWrongShape() throws IOException {
        Path x = dir.resolve("x.npy");
        Npy.write(x, new Npy.Array(new long[] {4, 5}, new float[20], false));
        DlncTest.Run r = DlncTest.dlnc("predict", file("tiny.dln", TINY).toString(), "-i", x.toString(), "-o", dir.resolve("y.npy").toString(), "--device", "java", "--untrained");
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.err()).contains("x.npy: an array of shape [4, 5], but input `x` takes [N, 3]").doesNotContain("Exception");
    }

    @Test void predictReportsMissingFilesAndUnknownDevices() throws IOException {
        Path f = file("tiny.dln", TINY);
        DlncTest.Run missing = DlncTest.dlnc("predict", f.toString(), "-i", dir.resolve("nope.npy").toString(), "-o", dir.resolve("y.npy").toString(), "--device", "java", "--untrained");
        assertThat(missing.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(missing.err()).contains("nope.npy: no such file");
        DlncTest.Run device = DlncTest.dlnc("predict", f.toString(), "-i", "x.npy", "-o", "y.npy", "--device", "tpu");
        assertThat(device.code()).isEqualTo(Dlnc.USAGE);
        assertThat(device.err()).contains("unknown device `tpu`");
        DlncTest.Run weights = DlncTest.dlnc("predict", f.toString(), "-w", dir.resolve("w.safetensors").toString(), "-i", "x.npy", "-o", "y.npy", "--device", "java");
        assertThat(weights.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(weights.err()).contains("w.safetensors: no such file");
    }

    @Test void benchPrintsTrainPredictAndKernelFigures() throws IOException {
        Path f = file("xor.dln", TINY + "train Tiny { loss cross_entropy  optimizer sgd(lr: 0.1)  batch 8 }\n");
        DlncTest.Run r = DlncTest.dlnc("bench", f.toString(), "--device", "java", "--steps", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("train: [0-9.]+ s/epoch \\([0-9]+ img/s\\)").containsPattern("predict: [0-9]+ img/s")
                .containsPattern("matmul: [0-9.]+ GFLOP/s").containsPattern("conv2d: [0-9.]+ GFLOP/s");
    }

    // The train block's data as training takes it: under `targets inputs` the images are their own
    // targets (an autoencoder's bench failed with "the targets of 16 examples need 1024 values").
    @Test void benchTimesAnAutoencoderOnItsImages() throws IOException {
        int n = 40;
        java.io.ByteArrayOutputStream idx = new java.io.ByteArrayOutputStream();
        idx.writeBytes(new byte[] {0, 0, 8, 3, 0, 0, 0, (byte) n, 0, 0, 0, 8, 0, 0, 0, 8});
        for (int i = 0; i < n * 64; i++) idx.write(i % 7 < 3 ? 255 : 0);
        Files.write(dir.resolve("images.idx"), idx.toByteArray());
        Path f = file("auto.dln", TrainCommandTest.AUTOENCODER);
        DlncTest.Run r = DlncTest.dlnc("bench", f.toString(), "--device", "java", "--steps", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("data: 40 examples from the train block's idx source").containsPattern("train: [0-9.]+ s/epoch")
                .containsPattern("predict: [0-9]+ img/s");
        // each rate the median of windows timed on their own: the 2 steps make 2, predictions 5
        assertThat(r.out()).containsPattern("2 steps timed; median of 2 windows, [0-9]+-[0-9]+ img/s\\]")
                .containsPattern("launches a batch; median of 5 windows, [0-9]+-[0-9]+ img/s\\]");
    }

    @Test void theMedianOfWindowsIsTheMiddleOne() {
        assertThat(Bench.median(new double[] {5, 1, 9, 3, 7})).isEqualTo(5);
        assertThat(Bench.median(new double[] {4, 2})).isEqualTo(4);
        assertThat(Bench.median(new double[] {8})).isEqualTo(8);
    }

    @Test void benchProfileSaysWhereTheTimeGoesByKindAndByKernel() throws IOException {
        Path f = file("xor.dln", TINY + "train Tiny { loss cross_entropy  optimizer adam(lr: 0.1)  batch 8 }\n");
        DlncTest.Run r = DlncTest.dlnc("bench", f.toString(), "--device", "java", "--steps", "2", "--profile");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("where a training step's time goes").containsPattern("Gemm +[0-9.]+ ms +[0-9.]+%")
                .containsPattern("UpdateGroup +[0-9.]+ ms +[0-9.]+% +[0-9]+ launches")
                .contains("the slowest kernels").containsPattern("dense_1_fwd +Gemm +[0-9.]+ ms a launch");
        // a prediction batch's kernels by name too, and the input's write beside them
        String prediction = r.out().substring(r.out().indexOf("where a prediction batch's time goes"));
        assertThat(prediction).containsPattern("\\(write\\) +[0-9.]+ ms").contains("the slowest kernels of a prediction batch")
                .containsPattern("upload +\\(write\\) +[0-9.]+ ms a launch").containsPattern("dense_1_fwd_softmax +Gemm +[0-9.]+ ms a launch");
    }

    // `bench --tune` times each candidate block size of the model's products on the OpenCL device,
    // says what it tried and chose, and keeps the choices in the cache (here a file of the test's);
    // the emitted program stays the same bytes, the choices being build options. A later run builds
    // with a cached choice and predicts what the JVM does; a corrupt cache is ignored with one line.
    @Test void benchTuneKeepsTheWinnersAsBuildOptionsAndTheEmittedProgramAsItIs() throws IOException {
        assumeFalse("1".equals(System.getenv("DLN_SKIP_OPENCL")), "DLN_SKIP_OPENCL=1");
        Path f = file("tiny.dln", TINY + "train Tiny { loss cross_entropy  optimizer sgd(lr: 0.1)  batch 8 }\n");
        Path cache = dir.resolve("cache/tuning.json");
        String before = System.getProperty(TuningCache.PROPERTY);
        System.setProperty(TuningCache.PROPERTY, cache.toString());
        try {
            assertThat(DlncTest.dlnc(f.toString(), "-o", dir.resolve("before").toString()).code()).isZero();
            DlncTest.Run r = DlncTest.dlnc("bench", f.toString(), "--device", "0", "--steps", "2", "--tune");
            assertThat(r.code()).as(r.err()).isZero();
            String shape = "gemm A*B^T M=batch N=2 K=3 lda=3 ldb=3 ldc=2 alpha=1.0 beta=0.0";
            assertThat(r.out()).contains("dense_1_fwd (batch 8): " + shape).contains("(default)").contains("chosen: ")
                    .contains("kept in " + cache).containsPattern("predict: [0-9]+ img/s");
            assertThat(Files.readString(cache)).contains(shape);
            assertThat(DlncTest.dlnc(f.toString(), "-o", dir.resolve("after").toString()).code()).isZero();
            assertThat(Files.readString(dir.resolve("after/dln/models/Tiny.cl"))).isEqualTo(Files.readString(dir.resolve("before/dln/models/Tiny.cl")));

            TuningCache tuned = TuningCache.load(dir.resolve("tuned.json"));
            tuned.put(dln.runtime.cl.Devices.list().get(0).key(), shape, new TuningCache.Entry(Choice.of("GEMM_ROWS", 2, "GEMM_COLS", 2), 8, 1, 0.5));
            tuned.save();
            Files.move(dir.resolve("tuned.json"), cache, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Path x = dir.resolve("x.npy");
            float[] values = new float[7 * 3];
            for (int i = 0; i < values.length; i++) values[i] = i % 5 - 2;
            Npy.write(x, new Npy.Array(new long[] {7, 3}, values, false));
            DlncTest.Run cl = DlncTest.dlnc("predict", f.toString(), "-i", x.toString(), "-o", dir.resolve("cl.npy").toString(), "--device", "0", "--untrained");
            DlncTest.Run jvm = DlncTest.dlnc("predict", f.toString(), "-i", x.toString(), "-o", dir.resolve("jvm.npy").toString(), "--device", "java", "--untrained");
            assertThat(cl.code()).as(cl.err()).isZero();
            assertThat(jvm.code()).as(jvm.err()).isZero();
            assertThat(Npy.read(dir.resolve("cl.npy")).data()).containsExactly(Npy.read(dir.resolve("jvm.npy")).data(), within(1e-5f));

            Files.writeString(cache, "{\"format\": ");
            DlncTest.Run corrupt = DlncTest.dlnc("predict", f.toString(), "-i", x.toString(), "-o", dir.resolve("y.npy").toString(), "--device", "0", "--untrained");
            assertThat(corrupt.code()).as(corrupt.err()).isZero();
            assertThat(corrupt.err().lines().filter(l -> l.contains("tuning cache")).toList()).singleElement().asString()
                    .startsWith("dlnc: warning: ignoring the kernel tuning cache, " + cache);
        } finally {
            if (before == null) System.clearProperty(TuningCache.PROPERTY);
            else System.setProperty(TuningCache.PROPERTY, before);
        }
    }

    // Without a GPU, auto times a model of 100k FLOPs an example or more on the CPU's OpenCL device
    // and on the JVM, once: it says so, keeps the choice (here in a file of the test's), and later
    // runs take the kept choice without a word, whichever it is; a corrupt file is measured anew.
    // A command that predicts times and keeps a prediction batch apart from the training step.
    @Test void autoTimesALargeModelOnBothCpuBackendsOnceAndKeepsTheFaster() throws IOException, InterruptedException {
        assumeFalse("1".equals(System.getenv("DLN_SKIP_OPENCL")), "DLN_SKIP_OPENCL=1");
        java.util.List<dln.runtime.cl.Devices.Device> devices = dln.runtime.cl.Devices.list();
        org.junit.jupiter.api.Assumptions.assumeTrue(!devices.isEmpty() && devices.stream().noneMatch(d -> d.gpu()), "a CPU OpenCL device and no GPU");
        String cpu = devices.get(0).name();
        Path f = file("wide.dln", "model Wide {\n input x: [64]\n output y = x -> dense(1024) -> relu -> dense(10) -> softmax\n}\n"
                + "train Wide { data csv(\"data.csv\", label_column: 64, header: false)  loss cross_entropy  optimizer adam(lr: 0.01)  batch 16  epochs 1 }\n");
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            for (int j = 0; j < 64; j++) csv.append((i * 7 + j) % 5).append(',');
            csv.append(i % 10).append('\n');
        }
        file("data.csv", csv.toString());
        Path cache = dir.resolve("cache/backends.json");
        String before = System.getProperty(dln.runtime.device.BackendChoices.PROPERTY);
        System.setProperty(dln.runtime.device.BackendChoices.PROPERTY, cache.toString());
        try {
            DlncTest.Run first = DlncTest.dlnc("train", f.toString(), "--checkpoint", dir.resolve("runs").toString());
            assertThat(first.code()).as(first.err()).isZero();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("dlnc: note: auto timed a training step of Wide at batch 16 on both of this "
                    + "machine's backends: [0-9.e+-]+ ms on OpenCL's " + java.util.regex.Pattern.quote(cpu) + ", [0-9.e+-]+ ms on the JVM; running on "
                    + "(OpenCL|the JVM) from now on \\(kept in " + java.util.regex.Pattern.quote(cache.toString()) + "\\)\n").matcher(first.err());
            assertThat(m.find()).as(first.err()).isTrue();
            boolean openCl = m.group(1).equals("OpenCL");
            assertThat(first.out()).startsWith(openCl ? "training Wide on opencl: " + cpu : "training Wide on java (");
            String kept = Files.readString(cache);
            assertThat(kept).contains("\"Wide training step at batch 16, kernels ").contains("\"chosen\": \"" + (openCl ? "opencl" : "java") + "\"");

            DlncTest.Run again = DlncTest.dlnc("train", f.toString(), "--checkpoint", dir.resolve("runs").toString());
            assertThat(again.err()).as("the kept choice, without a word").doesNotContain("auto timed");
            assertThat(again.out()).startsWith(openCl ? "training Wide on opencl: " + cpu : "training Wide on java (");
            Files.writeString(cache, openCl ? kept.replace("\"chosen\": \"opencl\"", "\"chosen\": \"java\"")
                    : kept.replace("\"chosen\": \"java\"", "\"chosen\": \"opencl\""));
            DlncTest.Run flipped = DlncTest.dlnc("train", f.toString(), "--checkpoint", dir.resolve("runs").toString());
            assertThat(flipped.err()).doesNotContain("auto timed");
            assertThat(flipped.out()).as("what the file says, whichever it is").startsWith(openCl ? "training Wide on java (" : "training Wide on opencl: " + cpu);

            // A kept choice of the JVM lists no OpenCL platform, which would load its driver: in a JVM of
            // its own, JOCL's CL class is never loaded; with the choice of OpenCL it is.
            String jvmKept = kept.replace("\"chosen\": \"opencl\"", "\"chosen\": \"java\""), clKept = jvmKept.replace("\"chosen\": \"java\"", "\"chosen\": \"opencl\"");
            for (boolean cl : new boolean[] {false, true}) {
                Files.writeString(cache, cl ? clKept : jvmKept);
                Path classes = dir.resolve("classes-" + cl + ".log");
                DlncTest.Run own = Jvm.dlnc(dir, java.util.List.of(), java.util.Map.of(), java.util.List.of("-Xlog:class+load=info:file=" + classes),
                        "train", f.toString(), "--checkpoint", dir.resolve("runs").toString());
                assertThat(own.code()).as(own.err()).isZero();
                assertThat(own.out()).startsWith(cl ? "training Wide on opencl: " + cpu : "training Wide on java (");
                if (cl) assertThat(Files.readString(classes)).contains("org.jocl.CL source");
                else assertThat(Files.readString(classes)).doesNotContain("org.jocl.CL source");
            }

            Files.writeString(cache, "{\"format\": ");
            DlncTest.Run corrupt = DlncTest.dlnc("train", f.toString(), "--checkpoint", dir.resolve("runs").toString());
            assertThat(corrupt.code()).as(corrupt.err()).isZero();
            assertThat(corrupt.err()).contains("dlnc: note: ignoring the measured backend choices, " + cache).contains("dlnc: note: auto timed");
            assertThat(dln.runtime.device.BackendChoices.load(cache).warning()).isNull();

            // predict (and eval) time a prediction batch, kept beside the training step's choice
            StringBuilder rows = new StringBuilder();
            for (int i = 0; i < 5; i++) rows.append("1,".repeat(63)).append("0\n");
            Path inputs = file("x.csv", rows.toString());
            String[] predict = {"predict", f.toString(), "--untrained", "-i", inputs.toString(), "-o", dir.resolve("y.npy").toString()};
            DlncTest.Run predicted = DlncTest.dlnc(predict);
            assertThat(predicted.code()).as(predicted.err()).isZero();
            assertThat(predicted.err()).containsPattern("dlnc: note: auto timed a prediction of Wide at batch 256 on both of this machine's backends: "
                    + "[0-9.e+-]+ ms on OpenCL's .*, [0-9.e+-]+ ms on the JVM; running on (OpenCL|the JVM) from now on");
            assertThat(Files.readString(cache)).contains("\"Wide prediction at batch 256, kernels ").contains("\"Wide training step at batch 16, kernels ");
            DlncTest.Run predictedAgain = DlncTest.dlnc(predict);
            assertThat(predictedAgain.code()).as(predictedAgain.err()).isZero();
            assertThat(predictedAgain.err()).doesNotContain("auto timed");

            // bench says what auto chose and on what times
            DlncTest.Run bench = DlncTest.dlnc("bench", f.toString(), "--steps", "2");
            assertThat(bench.code()).as(bench.err()).isZero();
            assertThat(bench.out()).containsPattern("\\nauto: (the JVM|OpenCL), timed once for a training step of Wide at batch 16: "
                    + "[0-9.e+-]+ ms on the JVM, [0-9.e+-]+ ms on OpenCL\\n");
        } finally {
            if (before == null) System.clearProperty(dln.runtime.device.BackendChoices.PROPERTY);
            else System.setProperty(dln.runtime.device.BackendChoices.PROPERTY, before);
        }
    }

    @Test void benchTuneOnTheJvmSaysThereIsNothingToTune() throws IOException {
        Path f = file("xor.dln", TINY + "train Tiny { loss cross_entropy  optimizer sgd(lr: 0.1)  batch 8 }\n");
        DlncTest.Run r = DlncTest.dlnc("bench", f.toString(), "--device", "java", "--steps", "2", "--tune");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("tune: nothing to tune on the JVM backend").containsPattern("train: [0-9.]+ s/epoch");
    }

    @Test void devicesListsTheJvmBackendAndTheDefault() {
        DlncTest.Run r = DlncTest.dlnc("devices");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("java: java (").contains("default (--device auto");
    }

    @Test
    void dlncPredictWritesPyTorchsOutputs() throws IOException {
        Path out = dir.resolve("y.npy");
        DlncTest.Run r = DlncTest.dlnc("predict", PYTORCH.resolve("mlp.dln").toString(),
                "--weights", PYTORCH.resolve("mlp.safetensors").toString(), "--input", PYTORCH.resolve("mlp.x.input.npy").toString(),
                "--output", out.toString(), "--device", "java");
        assertThat(r.code()).as("exit code; stderr: %s", r.err()).isZero();
        Npy.Array expected = Npy.read(PYTORCH.resolve("mlp.output.npy"));
        Npy.Array actual = Npy.read(out);
        assertThat(actual.shape()).isEqualTo(expected.shape());
        PyTorchParityTest.assertClose("mlp via dlnc predict", expected.data(), actual.data());
    }
}
