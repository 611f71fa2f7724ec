package dln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dln.runtime.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rules every command keeps: numbers in range, devices by name, file errors as PATH: reason,
 * no prediction from untrained weights unless asked, `-` for standard output, and one plain line
 * where OpenCL or a native BLAS is missing.
 */
class CommandLineTest {
    @TempDir Path dir;

    static final String TINY = "model Tiny {\n input x: [3]\n output y = x -> dense(2) -> softmax\n}\n";

    Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    Path inputs() throws IOException {
        Path x = dir.resolve("x.npy");
        Npy.write(x, new Npy.Array(new long[] {4, 3}, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 0, 1}, false));
        return x;
    }

    static DlncTest.Run dlnc(String... args) { return DlncTest.dlnc(args); }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "bench   | --steps  | -3          | -3 is out of range; give a whole number from 1 to 2147483647",
            "bench   | --steps  | 0           | 0 is out of range; give a whole number from 1 to 2147483647",
            "bench   | --steps  | abc         | `abc` is not a whole number; give a whole number from 1 to 2147483647",
            "bench   | --steps  | 3000000000  | 3000000000 is out of range; give a whole number from 1 to 2147483647",
            "train   | --epochs | 0           | 0 is out of range; give a whole number of at least 1",
            "train   | --seed   | -1          | -1 is out of range; give a whole number of at least 0",
            "eval    | --seed   | -7          | -7 is out of range; give a whole number of at least 0",
            "predict | --batch  | 0           | 0 is out of range; give a whole number from 1 to 2147483647",
            "predict | --seed   | 1.5         | `1.5` is not a whole number; give a whole number of at least 0"})
    void aNumberOutOfRangeIsAUsageErrorNamingTheOptionAndTheRange(String command, String option, String value, String why) throws IOException {
        Path f = file("tiny.dln", TINY);
        List<String> args = new ArrayList<>(List.of(command, f.toString(), option, value, "--device", "java"));
        if (command.equals("predict")) args.addAll(List.of("-i", "x.npy", "-o", "y.npy", "--untrained"));
        if (command.equals("eval")) args.addAll(List.of("-w", "w.safetensors"));
        DlncTest.Run r = dlnc(args.toArray(String[]::new));
        assertThat(r.code()).isEqualTo(Dlnc.USAGE);
        assertThat(r.err()).startsWith("Invalid value for option '" + option + "': " + why + "\n");
        assertThat(r.out()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"train", "eval", "predict", "bench"})
    void anUnknownDeviceIsAUsageErrorListingTheChoices(String command) throws IOException {
        DlncTest.Run r = dlnc(command, file("tiny.dln", TINY).toString(), "--device", "nonsense");
        assertThat(r.code()).isEqualTo(Dlnc.USAGE);
        assertThat(r.err()).startsWith("Invalid value for option '--device': unknown device `nonsense`; the choices are auto, gpu, cpu, java "
                + "or a device number from `dlnc devices` (");
    }

    @Test void anUnknownDeviceInTheEnvironmentSaysWhereItCameFrom() throws Exception {
        Path f = file("tiny.dln", TINY);
        DlncTest.Run r = Jvm.dlnc(dir, Map.of("DLN_DEVICE", "nonsense"), "predict", f.toString(), "-i", inputs().toString(), "-o",
                dir.resolve("y.npy").toString(), "--untrained");
        assertThat(r.code()).as(r.err()).isEqualTo(Dlnc.USAGE);
        assertThat(r.err()).contains("dlnc: error: unknown device `nonsense` (from DLN_DEVICE); the choices are auto, gpu, cpu, java")
                .doesNotContain("null");
        assertThat(dir.resolve("y.npy")).doesNotExist();
    }

    @Test void everyFileErrorNamesThePathAndTheReason() throws IOException {
        Path f = file("tiny.dln", TINY), x = inputs(), folder = Files.createDirectories(dir.resolve("folder"));
        Path plain = file("plain", "a file"), y = dir.resolve("y.npy");
        String[] predict = {"predict", f.toString(), "--device", "java"};
        assertError(join(predict, "-i", folder.toString(), "-o", y.toString(), "--untrained"), folder + ": is a folder, not a file");
        assertError(join(predict, "-i", x.toString(), "-o", folder.toString(), "--untrained"), folder + ": is a folder, not a file");
        assertError(join(predict, "-i", x.toString(), "-o", plain.resolve("y.npy").toString(), "--untrained"),
                plain.resolve("y.npy") + ": " + plain + " is a file, not a folder");
        assertError(join(predict, "-w", folder.toString(), "-i", x.toString(), "-o", y.toString()), folder + ": is a folder, not a file");
        assertError(join(predict, "-w", plain.resolve("w.safetensors").toString(), "-i", x.toString(), "-o", y.toString()),
                plain.resolve("w.safetensors") + ": " + plain + " is a file, not a folder");
        assertError(join(predict, "-w", dir.resolve("none.safetensors").toString(), "-i", x.toString(), "-o", y.toString()),
                dir.resolve("none.safetensors") + ": no such file");
        assertError(new String[] {"predict", folder.toString(), "-i", x.toString(), "-o", y.toString(), "--untrained"}, folder + ": is a folder, not a file");
        assertError(new String[] {"bench", plain.resolve("m.dln").toString()}, plain.resolve("m.dln") + ": " + plain + " is a file, not a folder");
        assertThat(y).doesNotExist();

        DlncTest.Run check = dlnc("check", plain.resolve("m.dln").toString());
        assertThat(check.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(check.err()).startsWith("dlnc: error: " + plain.resolve("m.dln") + ": " + plain + " is a file, not a folder\n");
        DlncTest.Run generate = dlnc(f.toString(), "-o", plain.toString());
        assertThat(generate.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(generate.err()).startsWith("dlnc: error: cannot write " + plain.resolve("dln/models/Tiny.java") + ": " + plain + " is a file, not a folder\n");
    }

    @Test void aCheckpointFolderThatIsAFileIsNamed() throws IOException {
        Path f = file("xor.dln", Files.readString(Path.of("../samples/xor.dln"))), plain = file("runs", "a file");
        DlncTest.Run r = dlnc("train", f.toString(), "--device", "java", "--epochs", "1", "--checkpoint", plain.toString());
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.err()).isEqualTo("dlnc: error: " + plain + ": is a file, not a folder\n");
    }

    private void assertError(String[] args, String message) {
        DlncTest.Run r = dlnc(args);
        assertThat(r.code()).as(String.join(" ", args) + "\n" + r.err()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.err().lines().filter(l -> l.startsWith("dlnc: error: ")).toList()).as(String.join(" ", args))
                .containsExactly("dlnc: error: " + message);
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static String[] join(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    @Test void predictWithoutWeightsIsRefusedUnlessAskedForAndThenWarned() throws IOException {
        Path f = file("tiny.dln", TINY), x = inputs(), y = dir.resolve("y.npy");
        DlncTest.Run refused = dlnc("predict", f.toString(), "-i", x.toString(), "-o", y.toString(), "--device", "java");
        assertThat(refused.code()).isEqualTo(Dlnc.USAGE);
        assertThat(refused.err()).isEqualTo("dlnc: error: no --weights: give the trained weights with -w FILE (`dlnc train` writes them to its "
                + "checkpoint folder), or --untrained to predict from the initial weights\n");
        assertThat(y).doesNotExist();

        DlncTest.Run asked = dlnc("predict", f.toString(), "-i", x.toString(), "-o", y.toString(), "--device", "java", "--untrained", "--seed", "3");
        assertThat(asked.code()).as(asked.err()).isZero();
        assertThat(notes(asked.err())).containsExactly("dlnc: warning: no --weights: predicting with untrained weights (the initializers with seed 3)");
        assertThat(y).exists();

        DlncTest.Run both = dlnc("predict", f.toString(), "-i", x.toString(), "-o", y.toString(), "--untrained", "-w", y.toString());
        assertThat(both.code()).isEqualTo(Dlnc.USAGE);
        assertThat(both.err()).contains("--untrained and --weights contradict each other");
    }

    /** Stderr without the line that says the JVM runs on a Java BLAS, which machines without OpenBLAS print. */
    private static List<String> notes(String err) {
        return err.lines().filter(l -> !l.startsWith("dlnc: note: no native BLAS")).toList();
    }

    @Test void dashIsStandardOutputAsCsvAndTheReportGoesToStandardError() throws IOException {
        Path f = file("tiny.dln", TINY), x = inputs(), y = dir.resolve("y.npy");
        DlncTest.Run r = dlnc("predict", f.toString(), "-i", x.toString(), "-o", "-", "-o", "y=" + y, "--device", "java", "--untrained");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> rows = r.out().lines().toList();
        assertThat(rows).hasSize(5);
        assertThat(rows.get(0)).isEqualTo("y_0,y_1");
        float[] fromFile = Npy.read(y).data();
        for (int i = 0; i < 4; i++) {
            String[] cells = rows.get(i + 1).split(",");
            assertThat(Float.parseFloat(cells[0])).isEqualTo(fromFile[2 * i]);
            assertThat(Float.parseFloat(cells[1])).isEqualTo(fromFile[2 * i + 1]);
        }
        assertThat(r.err()).contains("wrote " + y + " (4 examples)");

        DlncTest.Run twice = dlnc("predict", f.toString(), "-i", x.toString(), "-o", "-", "-o", "y=-", "--untrained");
        assertThat(twice.code()).isEqualTo(Dlnc.USAGE);
        assertThat(twice.err()).contains("only one --output can be - (standard output)");

        DlncTest.Run generate = dlnc(f.toString(), "-o", "-");
        assertThat(generate.code()).isEqualTo(Dlnc.USAGE);
        assertThat(generate.err()).contains("-o takes a folder").doesNotContain("wrote");
        assertThat(dir.resolve("-")).doesNotExist();
    }

    /** Forward FLOPs per example over the 100k from which auto prefers a CPU OpenCL device: without OpenCL, worth a word. */
    static final String WIDE = """
            model Wide {
                input x: [256]
                output y = x -> dense(512) -> relu -> dense(2) -> softmax
            }
            train Wide {
                data      csv("wide.csv", label_column: "label")
                loss      cross_entropy
                optimizer sgd(0.1)
                epochs    1
            }
            """;

    static final String NOTICE = "dlnc: note: no OpenCL device and no native BLAS here: running on the JVM backend with Java BLAS; "
            + "for more speed: apt-get install pocl-opencl-icd libopenblas0-pthread (or a GPU's OpenCL driver)\n";

    Path wide() throws IOException {
        StringBuilder csv = new StringBuilder();
        for (int c = 0; c < 256; c++) csv.append('c').append(c).append(',');
        csv.append("label\n");
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 256; c++) csv.append((r * 7 + c) % 5).append(',');
            csv.append(r % 2).append('\n');
        }
        file("wide.csv", csv.toString());
        return file("wide.dln", WIDE);
    }

    /** No OpenCL platform (an empty ICD folder) and no BLAS library where netlib is told to look: one line, nothing else. */
    @Test void withoutOpenClOrANativeBlasOnePlainLineSaysWhatRunsAndWhatToInstall() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("no-icds"));
        DlncTest.Run r = Jvm.dlnc(dir, List.of(), Map.of("OCL_ICD_VENDORS", empty.toString()),
                List.of("-Ddev.ludovic.netlib.blas.nativeLibPath=" + dir.resolve("missing/libblas.so.3")), "train", wide().toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEqualTo(NOTICE);
        assertThat(r.out()).startsWith("training Wide on java (").contains("epoch 1/1");
    }

    /**
     * The machine as it is without the libraries: libOpenCL and libblas replaced by empty files in a
     * mount namespace of the child's own (root only, where unshare works; CI runs as root).
     */
    @Test void withTheLibrariesHiddenTheLoadersPrintNothing() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "root, to mount in a namespace of its own");
        assumeTrue(new ProcessBuilder("unshare", "-m", "true").start().waitFor() == 0, "unshare -m works here");
        Path empty = Files.createFile(dir.resolve("empty"));
        StringBuilder mounts = new StringBuilder();
        for (Path lib : libraries("libOpenCL.so.1", "libOpenCL.so", "libblas.so.3")) {
            mounts.append("mount --bind '").append(empty).append("' '").append(lib).append("' && ");
        }
        // the JDK's libjsig, which the build preloads into the tests' JVMs, warns when sh or mount call signal(): the JVM alone gets it
        String preload = System.getenv("LD_PRELOAD");
        String exec = (preload == null ? "" : "LD_PRELOAD='" + preload + "' ") + "exec \"$0\" \"$@\"";
        Map<String, String> env = new java.util.HashMap<>();
        env.put("LD_PRELOAD", null);
        DlncTest.Run r = Jvm.dlnc(dir, List.of("unshare", "-m", "sh", "-c", mounts + exec), env, List.of(), "train", wide().toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEqualTo(NOTICE);
    }

    /** Every file of these names in the usual library folders, links followed. */
    private static Set<Path> libraries(String... names) throws IOException {
        String arch = System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch");
        Set<Path> found = new LinkedHashSet<>();
        for (String folder : List.of("/lib/" + arch + "-linux-gnu", "/usr/lib/" + arch + "-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib")) {
            for (String name : names) {
                Path p = Path.of(folder, name);
                if (Files.exists(p)) found.add(p.toRealPath());
            }
        }
        return found;
    }
}
