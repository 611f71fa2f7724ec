package dln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dln.Compiler;
import dln.check.SourceRoots;
import dln.onnx.OnnxExporter;
import dln.onnx.proto.OnnxProto.ModelProto;
import dln.op.Activation;
import dln.op.Embedding;
import dln.op.Network;
import dln.op.Op;
import dln.runtime.Model;
import dln.runtime.device.Backends;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** `dlnc export`: the ONNX file, run by ONNX Runtime, predicts as the model does on the JVM backend. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExportCommandTest {
    @TempDir Path dir;
    /** Each model compiled once per test: for its weights, then for its predictions. */
    private final Map<String, Run.Compiled> compiled = new java.util.HashMap<>();

    private Run.Compiled compiled(Path file, String modelName) {
        return compiled.computeIfAbsent(file + "#" + modelName,
                k -> Run.compile(file.toString(), modelName, roots(file), new PrintWriter(new StringWriter()), false));
    }

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

    /** Layers of several kinds together, several inputs, a value read twice. */
    @ParameterizedTest(name = "{index}")
    @ValueSource(strings = {BLOCKS, SIGNALS})
    void mixedModelsExportAndOnnxRuntimeAgree(String source) throws Exception {
        Path f = dir.resolve("mixed.dln");
        Files.writeString(f, source);
        agrees(f, null, randomWeights(f, 3), 3);
    }

    /**
     * One small model per layer of the language, by the layer's name (its arguments varied where
     * they change the ONNX form): each exports, holds the checker's rules and runs in ONNX Runtime
     * as on the JVM backend. {@link #everyLayerHasAModelHere} keeps it complete.
     */
    static final Map<String, String> LAYERS = layers();

    private static Map<String, String> layers() {
        Map<String, String> m = new TreeMap<>();
        m.put("dense", "input x: [4, 5]\n a = x -> dense(3, per_step: true) -> dense(2, per_step: true, bias: false) -> flatten\n"
                + " output y = a -> dense(3) -> dense(2, bias: false)");
        m.put("conv1d", "input x: [2, 12]\n output y = x -> conv1d(3, kernel: 3, stride: 2, padding: 1)");
        m.put("conv2d", "input x: [2, 7, 7]\n output y = x -> conv2d(3, kernel: 3, stride: 2, padding: 1, dilation: 2, bias: false)");
        m.put("conv3d", "input x: [1, 4, 5, 5]\n output y = x -> conv3d(2, kernel: 3, padding: 1)");
        m.put("conv_transpose1d", "input x: [2, 5]\n output y = x -> conv_transpose1d(3, kernel: 3, stride: 2, padding: 1, output_padding: 1)");
        m.put("conv_transpose2d", "input x: [2, 4, 4]\n a = x -> conv_transpose2d(3, kernel: 3, stride: 2, padding: 1, output_padding: 1)\n"
                + " output y = a -> conv_transpose2d(2, kernel: 2, dilation: 2, bias: false)");
        for (String pool : List.of("maxpool", "avgpool")) {
            m.put(pool + "1d", "input x: [2, 9]\n output y = x -> " + pool + "1d(3, stride: 2, padding: 1)");
            m.put(pool + "2d", "input x: [2, 6, 7]\n output y = x -> " + pool + "2d(2) -> " + pool + "2d(3, stride: 1, padding: 1)");
            m.put(pool + "3d", "input x: [1, 4, 4, 6]\n output y = x -> " + pool + "3d(2)");
        }
        m.put("global_maxpool", "input x: [3, 4, 5]\n output y = x -> global_maxpool");
        m.put("global_avgpool", "input x: [3, 6]\n output y = x -> global_avgpool");
        m.put("upsample", "input a: [2, 3]\n input b: [1, 2, 3]\n output p = a -> upsample(3)\n output q = b -> upsample(2)");
        m.put("flatten", "input x: [2, 3, 4]\n output y = x -> flatten -> dense(2)");
        m.put("dropout", "input x: [5]\n a = x -> dropout(0.5) -> dense(3)\n output y = a -> dropout(0.2)");
        m.put("batchnorm", "input x: [3, 4]\n input z: [5]\n output y = x -> batchnorm\n output w = z -> batchnorm(eps: 0.01)");
        m.put("layernorm", "input x: [4, 6]\n output y = x -> layernorm(eps: 0.001)");
        m.put("embedding", "input ids: int[6]\n output y = ids -> embedding(10, dim: 4)");
        for (String cell : List.of("lstm", "gru")) {
            m.put(cell, "input s: [5, 3]\n a = s -> " + cell + "(4, sequences: true)\n b = s -> " + cell + "(3, bidirectional: true)\n"
                    + " c = s -> " + cell + "(2)\n d = s -> " + cell + "(2, bidirectional: true, sequences: true)\n"
                    + " output y = concat(flatten(a), b, c, flatten(d))");
        }
        m.put("rnn", "input s: [5, 3]\n a = s -> rnn(4, activation: relu, sequences: true)\n b = s -> rnn(3, bidirectional: true)\n"
                + " c = s -> rnn(2, activation: linear)\n d = s -> rnn(2, activation: sigmoid, bidirectional: true, sequences: true)\n"
                + " output y = concat(flatten(a), b, c, flatten(d))");
        m.put("attention", "input x: [5, 8]\n output y = x -> attention(2) -> attention(4, causal: true)");
        m.put("positional", "input x: [4, 3]\n input z: [6, 3]\n output y = x -> positional(6)\n output w = z -> positional(6)");
        m.put("mean", "input x: [3, 4, 5]\n output a = x -> mean(axis: 1)\n output b = x -> mean");
        m.put("maxout", "input x: [5]\n output y = x -> maxout(3, pieces: 2)");
        m.put("add", "input a: [4]\n input b: [4]\n output y = add(a, b, a)");
        m.put("concat", "input a: [2, 3]\n input b: [1, 3]\n output y = concat(a, b)");
        for (Activation.Fn fn : Activation.Fn.values()) {
            m.put(fn.keyword(), "input x: [3, 4]\n output y = x -> " + fn.keyword() + "\n output z = x -> flatten -> " + fn.keyword());
        }
        return m;
    }

    @Test void everyLayerHasAModelHere() {
        assertThat(LAYERS.keySet()).as("add a model for each new layer (and its ONNX lowering in dln.onnx.OnnxExporter)")
                .containsExactlyInAnyOrderElementsOf(Op.signatures().keySet());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layerNames")
    void everyLayerExportsAndOnnxRuntimeAgrees(String layer) throws Exception {
        Path f = dir.resolve(layer + ".dln");
        Files.writeString(f, "model L {\n " + LAYERS.get(layer) + "\n}\n");
        agrees(f, null, randomWeights(f, layer.hashCode()), layer.hashCode());
    }

    static List<String> layerNames() { return List.copyOf(LAYERS.keySet()); }

    /** Every model of every sample, with the weights its own initialization gives. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("sampleModels")
    void everySampleExportsAndOnnxRuntimeAgrees(String file, String model) throws Exception {
        Path f = SAMPLES.resolve(file);
        agrees(f, model, initialWeights(f, model), file.hashCode());
    }

    static final Path SAMPLES = Path.of("../samples");

    static List<Arguments> sampleModels() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (var files = Files.list(SAMPLES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".dln")).sorted().toList()) {
                Compiler.Result checked = Compiler.check(f, f.toString(), roots(f));
                for (String model : checked.networks().keySet()) out.add(Arguments.of(f.getFileName().toString(), model));
            }
        }
        assertThat(out).hasSizeGreaterThan(10);
        return out;
    }

    @Test void geluAtOpset20ExportsAsGeluAndOnnxRuntimeAgrees() throws Exception {
        Path f = dir.resolve("gelu.dln");
        Files.writeString(f, "model G {\n input x: [5]\n output y = x -> dense(4) -> gelu -> dense(3)\n}\n");
        ModelProto m = agrees(f, null, randomWeights(f, 5), 5, "--opset", "20");
        assertThat(m.getGraph().getNodeList()).anyMatch(n -> n.getOpType().equals("Gelu"));
    }

    static final String MOST_LAYERS = """
            model Most {
                input img: [2, 6, 6]
                input seq: [5, 4]
                input ids: int[5]
                a = img -> conv2d(3, kernel: 3, padding: 1) -> batchnorm -> prelu -> maxpool2d(2) -> conv_transpose2d(2, kernel: 2, stride: 2)
                    -> upsample(2) -> avgpool2d(2) -> global_avgpool
                s = seq -> lstm(4, sequences: true, bidirectional: true) -> gru(3, sequences: true) -> rnn(4, sequences: true)
                    -> attention(2, causal: true) -> positional(5) -> layernorm -> dense(4, per_step: true) -> gelu -> mean
                e = ids -> embedding(7, dim: 4) -> mean
                output y = concat(a, s, e) -> maxout(3, pieces: 2) -> silu -> softmax
            }
            """;

    /** The other tests export at the default opset 17; the forms that change with the opset (reductions, layer norm, gelu) and most others at 13, 18 and 22. */
    @ParameterizedTest(name = "opset {0}")
    @ValueSource(ints = {13, 18, 22})
    void mostLayersAgreeInOnnxRuntimeAtTheFirstAMiddleAndTheLastOpset(int opset) throws Exception {
        Path f = dir.resolve("most.dln");
        Files.writeString(f, MOST_LAYERS);
        agrees(f, null, randomWeights(f, opset), opset, "--opset", "" + opset);
    }

    @Test void theRulesCatchAValueWithoutItsShape() throws Exception {
        Path f = dir.resolve("m.dln");
        Files.writeString(f, "model M {\n input x: [3]\n output y = x -> dense(2) -> relu -> dense(2)\n}\n");
        Path onnx = dir.resolve("m.onnx");
        assertThat(export(f, randomWeights(f, 1), onnx).code()).isZero();
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(onnx));
        assertThat(OnnxRules.broken(m, 17)).isEmpty();
        ModelProto stripped = m.toBuilder().setGraph(m.getGraph().toBuilder().clearValueInfo()).build();
        assertThat(OnnxRules.broken(stripped, 17)).anyMatch(s -> s.contains("has no value_info"));
        assertThat(OnnxRules.broken(m, 18)).anyMatch(s -> s.contains("opset_import"));
    }

    /** Python's ONNX checker with full shape inference, on every model the other tests exported at opsets it knows (to 17). */
    @Test @Order(Integer.MAX_VALUE)
    void pythonsOnnxCheckerAcceptsEveryExport() throws Exception {
        String python = pythonWithOnnx();
        assumeTrue(python != null, "python3 with onnx is not installed");
        assumeFalse(EXPORTED.isEmpty(), "the export tests did not run");
        List<String> args = new ArrayList<>(List.of("-c", CHECKER));
        for (Path p : EXPORTED) args.add(p.toString());
        Process p = python(python, args.toArray(String[]::new));
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
    }

    private static final String CHECKER = """
            import sys, onnx
            bad = 0
            for path in sys.argv[1:]:
                try:
                    onnx.checker.check_model(onnx.load(path), full_check=True)
                except Exception as e:
                    print(path, e)
                    bad += 1
            sys.exit(1 if bad else 0)
            """;

    /** The first of python3 on the PATH and Debian's /usr/bin/python3 that has onnx, else null. */
    private static String pythonWithOnnx() throws InterruptedException {
        for (String python : List.of("python3", "/usr/bin/python3")) {
            try {
                if (python(python, "-c", "import onnx").exitValue() == 0) return python;
            } catch (IOException e) {
                // not installed: try the next
            }
        }
        return null;
    }

    private static Process python(String python, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python));
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        b.environment().remove("OPENBLAS_CORETYPE");
        b.environment().remove("OPENBLAS_L2_SIZE");
        Process p = b.start();
        p.getOutputStream().close();
        if (!p.waitFor(5, TimeUnit.MINUTES)) p.destroyForcibly().waitFor();
        return p;
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
        return export(f, randomWeights(f, 0), dir.resolve("out.onnx"), options);
    }

    private static DlncTest.Run export(Path file, Path weights, Path onnx, String... options) {
        List<String> args = new ArrayList<>(List.of("export", file.toString(), "-w", weights.toString(), "-o", onnx.toString()));
        args.addAll(List.of(options));
        return DlncTest.dlnc(args.toArray(String[]::new));
    }

    /** Random weights with {@code seed} (running variances positive), saved beside the model. */
    private Path randomWeights(Path file, long seed) throws IOException {
        Path w = dir.resolve(file.getFileName() + ".safetensors");
        try (Model model = compiled(file, null).create(Backends.open("java"), 1, true)) {
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

    /** The weights the model's own initialization gives, as a fresh `dlnc train` starts from. */
    private Path initialWeights(Path file, String modelName) throws IOException {
        Path w = dir.resolve(modelName + ".safetensors");
        try (Model model = compiled(file, modelName).create(Backends.open("java"), 1, true)) {
            model.initialize(1);
            model.save(w);
        }
        return w;
    }

    /** Every model exported at an opset up to 17, for {@link #pythonsOnnxCheckerAcceptsEveryExport}. */
    private static final List<Path> EXPORTED = new java.util.concurrent.CopyOnWriteArrayList<>();
    @TempDir static Path exported;

    /**
     * Exports {@code model} of {@code file} with {@code weights}, checks the rules, and compares
     * ONNX Runtime's outputs with the JVM backend's on random inputs (ids below the smallest
     * embedding's vocabulary) within 1e-4 relative.
     */
    private ModelProto agrees(Path file, String modelName, Path w, long seed, String... options) throws IOException, OrtException {
        Path onnx = exported.resolve("model" + EXPORTED.size() + "_" + file.getFileName() + (modelName == null ? "" : "_" + modelName) + ".onnx");
        List<String> args = new ArrayList<>(List.of(options));
        if (modelName != null) args.addAll(List.of("--model", modelName));
        DlncTest.Run r = export(file, w, onnx, args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        int opset = options.length == 2 ? Integer.parseInt(options[1]) : OnnxExporter.DEFAULT_OPSET;
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(onnx));
        assertThat(OnnxRules.broken(proto, opset)).isEmpty();
        if (opset <= 17) EXPORTED.add(onnx);
        int n = 3;
        Run.Compiled compiled = compiled(file, modelName);
        try (Model model = compiled.create(Backends.open("java"), n, true)) {
            model.load(w);
            Model.Info info = model.info();
            long vocab = smallestVocabulary(compiled.checked().networks().get(compiled.generated().model()));
            Random random = new Random(seed);
            float[][] xs = new float[info.inputs().size()][];
            for (int i = 0; i < xs.length; i++) {
                long size = n;
                for (long d : info.inputShapes().get(i)) size *= d;
                xs[i] = new float[(int) size];
                boolean ids = info.intInputs().get(i);
                for (int j = 0; j < size; j++) xs[i][j] = ids ? random.nextInt((int) vocab) : (float) random.nextGaussian();
            }
            float[][] want = model.predict(n, xs);
            float[][] got = onnxRuntime(onnx, info, n, xs);
            for (int o = 0; o < want.length; o++) {
                assertThat(got[o]).hasSameSizeAs(want[o]);
                for (int j = 0; j < want[o].length; j++) {
                    assertThat(Math.abs(got[o][j] - want[o][j])).as("output %s [%d]: ONNX Runtime %s, JVM %s", info.outputs().get(o), j, got[o][j], want[o][j])
                            .isLessThanOrEqualTo(1e-4f * Math.max(1f, Math.abs(want[o][j])));
                }
            }
        }
        return proto;
    }

    private static SourceRoots roots(Path file) { return SourceRoots.forCommandLine(file, List.of()); }

    private static long smallestVocabulary(Network net) {
        return net.layers().stream().filter(l -> l.op() instanceof Embedding).mapToLong(l -> ((Embedding) l.op()).vocab()).min().orElse(1);
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
                feeds.put(info.inputs().get(i), info.intInputs().get(i)
                        ? OnnxTensor.createTensor(env, LongBuffer.wrap(ids(xs[i])), shape)
                        : OnnxTensor.createTensor(env, FloatBuffer.wrap(xs[i]), shape));
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

    private static long[] ids(float[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (long) values[i];
        return out;
    }
}
