package dln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dln.runtime.Model;
import dln.runtime.device.Backends;
import dln.runtime.io.Npy;
import dln.runtime.io.Safetensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PyTorch state dict saved with safetensors, under PyTorch's own names, loads into the same
 * network written in DLN and predicts as PyTorch does; `dlnc check -w` reports how its tensors match.
 * The fixtures are made by src/test/resources/pytorch_names/make_fixtures.py.
 */
class PyTorchNamesTest {
    private static final Path DIR = Path.of("src/test/resources/pytorch_names");
    private static final String DLN = DIR.resolve("names.dln").toString();
    private static final int N = 5;
    private static Run.Compiled compiled;

    @TempDir Path dir;

    @BeforeAll static void compile() {
        compiled = Run.compile(DLN, null, null, new PrintWriter(new StringWriter()), false);
    }

    private static Model model() {
        return compiled.create(Backends.open("java"), N, true);
    }

    private static float[] predict(Model model) throws IOException {
        return model.predict(N, Npy.read(DIR.resolve("names.series.input.npy")).data())[0];
    }

    private static void closeTo(float[] got, float[] want) {
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).as("output %d", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4 * Math.max(Math.abs(want[i]), 1e-3)));
        }
    }

    @Test void aPyTorchStateDictLoadsAndPredictsAsPyTorch() throws IOException {
        try (Model model = model()) {
            model.load(DIR.resolve("names.safetensors"));
            closeTo(predict(model), Npy.read(DIR.resolve("names.output.npy")).data());
        }
    }

    @Test void float16WeightsLoadConvertedToFloat32() throws IOException {
        float[] f16 = Npy.read(DIR.resolve("names.f16.output.npy")).data();
        assertThat(f16).as("the float16 weights make a difference").isNotEqualTo(Npy.read(DIR.resolve("names.output.npy")).data());
        try (Model model = model()) {
            model.load(DIR.resolve("names.f16.safetensors"));
            closeTo(predict(model), f16);
            Map<String, Safetensors.Tensor> f32 = Safetensors.read(DIR.resolve("names.safetensors"));
            model.weights().forEach((name, t) -> {
                for (float v : t.data()) assertThat(Float.floatToRawIntBits(v) & 0x1fff).as("%s holds float16 values", name).isZero();
                assertThat(t.data()).as(name).isNotEqualTo(f32.get(name.replaceFirst("_(ih|hh)", "_$1_l0")).data());
            });
        }
    }

    @Test void dlncPredictTakesPyTorchsNames() throws IOException {
        Path out = dir.resolve("y.npy");
        DlncTest.Run r = DlncTest.dlnc("predict", DLN, "--device", "java", "-w", DIR.resolve("names.safetensors").toString(),
                "-i", DIR.resolve("names.series.input.npy").toString(), "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        closeTo(Npy.read(out).data(), Npy.read(DIR.resolve("names.output.npy")).data());
    }

    @Test void checkListsEveryParameterMatchedUnderPyTorchsNames() {
        DlncTest.Run r = check("names.safetensors");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2 + 23);
        assertThat(lines.get(0)).isEqualTo("model Names, weights " + DIR.resolve("names.safetensors") + ": 22 matched, 1 ignored");
        assertThat(lines).contains(
                "  STATUS   PARAMETER                 EXPECTED  TENSOR                           FOUND    NOTE",
                "  matched  lstm_1.weight_ih          [16, 3]   lstm_1.weight_ih_l0              [16, 3]",
                "  matched  lstm_1.bias_hh_reverse    [16]      lstm_1.bias_hh_l0_reverse        [16]",
                "  matched  gru_1.weight_hh           [15, 5]   gru_1.weight_hh_l0               [15, 5]",
                "  matched  rnn_1.bias_ih             [4]       rnn_1.bias_ih_l0                 [4]",
                "  matched  batchnorm_1.running_var   [4]       batchnorm_1.running_var          [4]",
                "  matched  dense_1.weight            [2, 4]    dense_1.weight                   [2, 4]",
                "  ignored  -                         -         batchnorm_1.num_batches_tracked  [] I64   batch norm's step counter");
    }

    @Test void checkListsMissingWrongShapeUnexpectedAndIgnoredTensors() {
        DlncTest.Run r = check("mismatched.safetensors");
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).endsWith(": 20 matched, 1 missing, 1 wrong shape, 1 unexpected, 2 ignored");
        assertThat(lines.subList(lines.size() - 5, lines.size())).containsExactly(
                "  wrong shape  dense_1.weight            [2, 4]    dense_1.weight                   [4, 2]",
                "  missing      dense_1.bias              [2]       -                                -",
                "  ignored      -                         -         batchnorm_1.num_batches_tracked  [] I64   batch norm's step counter",
                "  ignored      -                         -         extra.step                       [] I64   integers, not weights",
                "  unexpected   -                         -         extra.weight                     [3]");
        assertThat(r.err()).isEqualTo("3 errors\n");
    }

    @Test void checkQuietListsOnlyTheProblems() {
        DlncTest.Run r = check("mismatched.safetensors", "-q");
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.out()).isEqualTo(String.join("\n",
                "model Names, weights " + DIR.resolve("mismatched.safetensors") + ": 20 matched, 1 missing, 1 wrong shape, 1 unexpected, 2 ignored",
                "  STATUS       PARAMETER       EXPECTED  TENSOR          FOUND   NOTE",
                "  wrong shape  dense_1.weight  [2, 4]    dense_1.weight  [4, 2]",
                "  missing      dense_1.bias    [2]       -               -",
                "  unexpected   -               -         extra.weight    [3]", ""));
        assertThat(check("names.safetensors", "-q").out()).isEmpty();
    }

    @Test void aStackedPyTorchLayersSecondLayerIsRefusedTensorByTensor() {
        DlncTest.Run r = check("stacked.safetensors");
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.out()).contains(
                "  unexpected  -                         -         lstm_1.weight_ih_l1              [16, 8]  "
                        + "layer 1 of a stacked PyTorch rnn/lstm/gru: DLN's have one layer (stack two in the .dln)",
                "  unexpected  -                         -         lstm_1.bias_hh_l1_reverse        [16]     layer 1");
        assertThat(r.out().lines().filter(l -> l.contains("_l1"))).hasSize(8);
    }

    /** The remedy docs/INTEROP.md gives: two DLN layers, PyTorch's layer 1 saved under the second one's name. */
    @Test void aStackedPyTorchLayerIsTwoDlnLayers() throws IOException {
        Map<String, Safetensors.Tensor> renamed = new LinkedHashMap<>();
        Safetensors.read(DIR.resolve("stacked.safetensors")).forEach((name, t) ->
                renamed.put(name.contains("_l1") ? name.replace("lstm_1.", "lstm_2.").replace("_l1", "_l0") : name, t));
        Path file = dir.resolve("renamed.safetensors");
        Safetensors.write(file, renamed, null);
        Run.Compiled stacked = Run.compile(DIR.resolve("stacked.dln").toString(), null, null, new PrintWriter(new StringWriter()), false);
        try (Model model = stacked.create(Backends.open("java"), N, true)) {
            model.load(file);
            closeTo(predict(model), Npy.read(DIR.resolve("stacked.output.npy")).data());
        }
    }

    @Test void aFailedLoadListsEveryProblemAndChangesNothing() throws IOException {
        try (Model model = model()) {
            model.initialize(3);
            Map<String, Safetensors.Tensor> before = model.weights();
            Path file = DIR.resolve("mismatched.safetensors");
            assertThatThrownBy(() -> model.load(file)).isInstanceOf(IllegalArgumentException.class).hasMessage(String.join("\n",
                    file + ": these weights do not fit model Names (1 missing, 1 wrong shape, 1 unexpected), so none were loaded:",
                    "  STATUS       PARAMETER       EXPECTED  TENSOR          FOUND   NOTE",
                    "  wrong shape  dense_1.weight  [2, 4]    dense_1.weight  [4, 2]",
                    "  missing      dense_1.bias    [2]       -               -",
                    "  unexpected   -               -         extra.weight    [3]"));
            assertThat(model.weights()).isEqualTo(before);
        }
    }

    @Test void dlncPredictWithWeightsThatDoNotFitFailsWithTheList() {
        DlncTest.Run r = DlncTest.dlnc("predict", DLN, "--device", "java", "-w", DIR.resolve("stacked.safetensors").toString(),
                "-i", DIR.resolve("names.series.input.npy").toString(), "-o", dir.resolve("y.npy").toString());
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.err()).startsWith("dlnc: error: " + DIR.resolve("stacked.safetensors") + ": these weights do not fit model Names (8 unexpected)");
        assertThat(r.err().lines().filter(l -> l.startsWith("  unexpected  "))).hasSize(8);
        assertThat(dir.resolve("y.npy")).doesNotExist();
    }

    @Test void bothNamesForOneParameterAreAmbiguous() throws IOException {
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>(Safetensors.read(DIR.resolve("names.safetensors")));
        tensors.put("gru_1.bias_hh", tensors.get("gru_1.bias_hh_l0"));
        Path file = dir.resolve("both.safetensors");
        Safetensors.write(file, tensors, null);
        try (Model model = model()) {
            model.initialize(3);
            Map<String, Safetensors.Tensor> before = model.weights();
            assertThatThrownBy(() -> model.load(file)).hasMessageEndingWith(
                    "  ambiguous  gru_1.bias_hh  [15]      gru_1.bias_hh, gru_1.bias_hh_l0  [15]   DLN's and PyTorch's names for one parameter: keep one");
            assertThat(model.weights()).isEqualTo(before);
        }
        DlncTest.Run r = DlncTest.dlnc("check", DLN, "-w", file.toString());
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.out()).contains("1 ambiguous");
    }

    /** DLN → PyTorch: DLN's file holds the state dict's keys less `_l0` and the step counter, with the same values. */
    @Test void dlnsOwnFileDiffersFromTheStateDictOnlyByTheLayerSuffixAndTheCounter() throws IOException {
        Path saved = dir.resolve("dln.safetensors");
        try (Model model = model()) {
            model.load(DIR.resolve("names.safetensors"));
            model.save(saved);
        }
        Map<String, Safetensors.Tensor> pytorch = new TreeMap<>(Safetensors.read(DIR.resolve("names.safetensors")));
        pytorch.remove("batchnorm_1.num_batches_tracked");
        Map<String, Safetensors.Tensor> renamed = new TreeMap<>();
        Safetensors.read(saved).forEach((name, t) -> renamed.put(name.matches(".*\\.(weight|bias)_(ih|hh)(_reverse)?")
                ? name.replaceFirst("_(ih|hh)", "_$1_l0") : name, t));
        assertThat(renamed).isEqualTo(pytorch);
    }

    @Test void checkWithWeightsTakesOneFileAndAModelItHas() {
        String w = DIR.resolve("names.safetensors").toString();
        assertThat(DlncTest.dlnc("check", DLN, DLN, "-w", w).err()).contains("-w checks the weights of one model: give one FILE, not 2");
        assertThat(DlncTest.dlnc("check", DLN, "--model", "Names").code()).isEqualTo(Dlnc.USAGE);
        DlncTest.Run r = DlncTest.dlnc("check", DLN, "-w", w, "--model", "Other");
        assertThat(r.code()).isEqualTo(Dlnc.USAGE);
        assertThat(r.err()).contains("has no model `Other`; it has `Names`");
        assertThat(DlncTest.dlnc("check", DLN, "-w", w, "--model", "Names").code()).isZero();
        DlncTest.Run missing = DlncTest.dlnc("check", DLN, "-w", dir.resolve("none.safetensors").toString());
        assertThat(missing.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(missing.err()).startsWith("dlnc: error: " + dir.resolve("none.safetensors") + ": ");
    }

    private static DlncTest.Run check(String weights, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("check", DLN, "-w", DIR.resolve(weights).toString()));
        args.addAll(List.of(more));
        return DlncTest.dlnc(args.toArray(String[]::new));
    }
}
