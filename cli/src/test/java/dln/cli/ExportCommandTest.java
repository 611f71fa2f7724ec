package dln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dln.runtime.Model;
import dln.runtime.device.Backends;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `dlnc export`: the ONNX file, run by ONNX Runtime, predicts as the model does on the JVM backend. */
class ExportCommandTest {
    @TempDir Path dir;

    static final String BLOCKS = """
            model Blocks {
                input a: [4, 6, 6]
                input b: [5]
                c = a -> conv2d(3, kernel: 3, padding: 1) -> batchnorm -> leaky_relu(0.1) -> avgpool2d(2, padding: 1) -> global_maxpool
                d = b -> dense(3) -> layernorm -> elu -> dropout(0.5) -> dense(3) -> tanh
                e = add(c, d) -> sigmoid
                output y = concat(e, d) -> dense(4) -> softmax
            }
            """;

    static final String SIGNALS = """
            model Signals {
                input s: [2, 12]
                output y = s -> conv1d(4, kernel: 3, stride: 2, padding: 1) -> relu -> maxpool1d(2) -> avgpool1d(2, padding: 1)
                    -> global_avgpool -> silu -> dense(2)
            }
            """;

    @Test void lenet5ExportsAndOnnxRuntimeAgrees() throws Exception {
        agrees(Path.of("../samples/lenet5.dln"), 1);
    }

    @Test void fashionMlpExportsAndOnnxRuntimeAgrees() throws Exception {
        agrees(Path.of("../samples/fashion_mlp.dln"), 2);
    }

    @Test void batchNormLayerNormAddAndConcatExportAndOnnxRuntimeAgrees() throws Exception {
        Path f = dir.resolve("blocks.dln");
        Files.writeString(f, BLOCKS);
        agrees(f, 3);
    }

    @Test void conv1dPools1dAndSiluExportAndOnnxRuntimeAgrees() throws Exception {
        Path f = dir.resolve("signals.dln");
        Files.writeString(f, SIGNALS);
        agrees(f, 4);
    }

    @Test void geluAtOpset20ExportsAndOnnxRuntimeAgrees() throws Exception {
        Path f = dir.resolve("gelu.dln");
        Files.writeString(f, "model G {\n input x: [5]\n output y = x -> dense(4) -> gelu -> dense(3)\n}\n");
        agrees(f, 5, "--opset", "20");
    }

    @Test void aLayerWithoutAnOnnxFormIsAClearError() throws IOException {
        DlncTest.Run r = export("model S {\n input x: [3]\n output y = x -> dense(2) -> step\n}\n");
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.err()).contains("layer `step_1` (step) is not exportable to ONNX yet");
        assertThat(dir.resolve("out.onnx")).doesNotExist();
    }

    @Test void geluBelowOpset20NamesTheLayerAndTheOpset() throws IOException {
        DlncTest.Run r = export("model G {\n input x: [3]\n output y = x -> dense(2) -> gelu\n}\n");
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.err()).contains("layer `gelu_1` (gelu) needs ONNX opset 20 or later, but the export is at opset 17");
    }

    @Test void anOpsetOutsideTheWrittenRangeIsAUsageError() throws IOException {
        DlncTest.Run r = export("model T {\n input x: [3]\n output y = x -> dense(2)\n}\n", "--opset", "12");
        assertThat(r.code()).isEqualTo(Dlnc.USAGE);
        assertThat(r.err()).contains("--opset 12: dlnc writes opsets 13 to 22");
    }

    /** `dlnc export` of the model {@code dln} with random weights, to out.onnx. */
    private DlncTest.Run export(String dln, String... options) throws IOException {
        Path f = dir.resolve("m.dln");
        Files.writeString(f, dln);
        return export(f, weights(f, 0), dir.resolve("out.onnx"), options);
    }

    private static DlncTest.Run export(Path file, Path weights, Path onnx, String... options) {
        List<String> args = new ArrayList<>(List.of("export", file.toString(), "-w", weights.toString(), "-o", onnx.toString()));
        args.addAll(List.of(options));
        return DlncTest.dlnc(args.toArray(String[]::new));
    }

    /** Random weights with {@code seed} (running variances positive), saved beside the model. */
    private Path weights(Path file, long seed) throws IOException {
        Run.Compiled compiled = Run.compile(file.toString(), null, null, new PrintWriter(new StringWriter()), false);
        Path w = dir.resolve(file.getFileName() + ".safetensors");
        try (Model model = compiled.create(Backends.open("java"), 1, true)) {
            Random random = new Random(seed);
            for (String name : model.parameterNames()) {
                float[] values = new float[model.parameter(name).length];
                for (int i = 0; i < values.length; i++) values[i] = (float) (name.endsWith("running_var") ? 0.5 + random.nextDouble() : 0.3 * random.nextGaussian());
                model.setParameter(name, values);
            }
            model.save(w);
        }
        return w;
    }

    private void agrees(Path file, long seed, String... options) throws IOException, OrtException {
        Path w = weights(file, seed);
        Path onnx = dir.resolve("model.onnx");
        DlncTest.Run r = export(file, w, onnx, options);
        assertThat(r.code()).as(r.err()).isZero();
        int n = 3;
        Run.Compiled compiled = Run.compile(file.toString(), null, null, new PrintWriter(new StringWriter()), false);
        try (Model model = compiled.create(Backends.open("java"), n, true)) {
            model.load(w);
            Model.Info info = model.info();
            Random random = new Random(seed);
            float[][] xs = new float[info.inputs().size()][];
            for (int i = 0; i < xs.length; i++) {
                long size = n;
                for (long d : info.inputShapes().get(i)) size *= d;
                xs[i] = new float[(int) size];
                for (int j = 0; j < size; j++) xs[i][j] = (float) random.nextGaussian();
            }
            float[][] want = model.predict(n, xs);
            float[][] got = onnxRuntime(onnx, info, n, xs);
            for (int o = 0; o < want.length; o++) {
                assertThat(got[o]).hasSameSizeAs(want[o]);
                for (int j = 0; j < want[o].length; j++) {
                    assertThat(Math.abs(got[o][j] - want[o][j])).as("output %d [%d]", o, j)
                            .isLessThanOrEqualTo(1e-4f * Math.max(1f, Math.abs(want[o][j])));
                }
            }
        }
    }

    static float[][] onnxRuntime(Path onnx, Model.Info info, int n, float[][] xs) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions())) {
            Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
            for (int i = 0; i < xs.length; i++) {
                long[] dims = info.inputShapes().get(i);
                long[] shape = new long[dims.length + 1];
                shape[0] = n;
                System.arraycopy(dims, 0, shape, 1, dims.length);
                feeds.put(info.inputs().get(i), OnnxTensor.createTensor(env, FloatBuffer.wrap(xs[i]), shape));
            }
            try (OrtSession.Result result = session.run(feeds)) {
                float[][] out = new float[info.outputs().size()][];
                for (int o = 0; o < out.length; o++) {
                    out[o] = ((OnnxTensor) result.get(info.outputs().get(o)).orElseThrow()).getFloatBuffer().array();
                }
                feeds.values().forEach(OnnxTensor::close);
                return out;
            }
        }
    }
}
