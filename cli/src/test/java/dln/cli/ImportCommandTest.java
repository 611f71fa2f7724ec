package dln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dln.onnx.proto.OnnxProto.AttributeProto;
import dln.onnx.proto.OnnxProto.GraphProto;
import dln.onnx.proto.OnnxProto.ModelProto;
import dln.onnx.proto.OnnxProto.NodeProto;
import dln.onnx.proto.OnnxProto.OperatorSetIdProto;
import dln.onnx.proto.OnnxProto.TensorProto;
import dln.onnx.proto.OnnxProto.TensorShapeProto;
import dln.onnx.proto.OnnxProto.TypeProto;
import dln.onnx.proto.OnnxProto.ValueInfoProto;
import dln.runtime.Model;
import dln.runtime.device.Backends;
import dln.runtime.io.Npy;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * `dlnc import`: PyTorch models exported with torch.onnx (src/test/resources/onnx, made by
 * make_import_fixtures.py) predict as PyTorch did; DLN models exported and imported back predict
 * as before; what cannot be imported is named, and nothing is written then.
 */
class ImportCommandTest {
    private static final Path FIXTURES = Path.of("src/test/resources/onnx");

    @TempDir Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "lenet5", "resnet", "lstm", "gru", "tagger"})
    void aPyTorchExportPredictsAsPyTorch(String name) throws IOException {
        DlncTest.Run r = DlncTest.dlnc("import", FIXTURES.resolve(name + ".onnx").toString(), "-o", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote " + dir.resolve(name + ".dln"));
        Path y = dir.resolve("y.npy");
        DlncTest.Run p = DlncTest.dlnc("predict", dir.resolve(name + ".dln").toString(), "-w", dir.resolve(name + ".safetensors").toString(),
                "-i", FIXTURES.resolve(name + "_x.npy").toString(), "-o", y.toString());
        assertThat(p.code()).as(p.err()).isZero();
        Npy.Array want = Npy.read(FIXTURES.resolve(name + "_y.npy"));
        assertThat(Npy.read(y).shape()).isEqualTo(want.shape());
        assertClose(Npy.read(y).data(), want.data());
    }

    @Test void theResNetKeepsItsBlocksReadable() throws IOException {
        DlncTest.dlnc("import", FIXTURES.resolve("resnet.onnx").toString(), "-o", dir.toString(), "--name", "SmallResNet");
        String dln = Files.readString(dir.resolve("resnet.dln"));
        assertThat(dln).contains("model SmallResNet {", "input x: [3, 12, 12]", "// Imported by `dlnc import` from `resnet.onnx`",
                "conv2d(8, kernel: 3, stride: 2, padding: 1, name: stem)", "-> batchnorm(name: block1_bn1) -> relu", "-> add(h1) -> relu",
                "output y = h2", "-> global_avgpool", "-> dense(5, name: head)");
        assertThat(DlncTest.dlnc("check", dir.resolve("resnet.dln").toString()).code()).isZero();
    }

    @Test void anLstmReadsEveryStepOfTheFirstLayerAndTheLastStateOfTheSecond() throws IOException {
        DlncTest.dlnc("import", FIXTURES.resolve("lstm.onnx").toString(), "-o", dir.toString());
        assertThat(Files.readString(dir.resolve("lstm.dln"))).contains("-> lstm(8, sequences: true, name: lstm1)", "-> lstm(6, name: lstm2)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fashion_mlp", "lenet5", "resnet_small"})
    void aSampleExportedAndImportedBackPredictsAsBefore(String sample) throws IOException {
        roundTrip(Path.of("../samples/" + sample + ".dln"), sample.length());
    }

    @Test void layersOfTheExportTestsComeBack() throws IOException {
        roundTrip(Files.writeString(dir.resolve("blocks.dln"), ExportCommandTest.BLOCKS), 3);
        roundTrip(Files.writeString(dir.resolve("signals.dln"), ExportCommandTest.SIGNALS), 4);
        assertThat(Files.readString(dir.resolve("back/signals.dln"))).contains("-> global_avgpool -> silu");
    }

    /** Exports {@code file} with random weights, imports it back, and compares the two models' predictions on random inputs. */
    private void roundTrip(Path file, long seed) throws IOException {
        String stem = file.getFileName().toString().replace(".dln", "");
        Path weights = randomWeights(file, dir.resolve(stem + "-original.safetensors"), seed);
        Path onnx = dir.resolve(stem + ".onnx");
        DlncTest.Run export = DlncTest.dlnc("export", file.toString(), "-w", weights.toString(), "-o", onnx.toString());
        assertThat(export.code()).as(export.err()).isZero();
        DlncTest.Run r = DlncTest.dlnc("import", onnx.toString(), "-o", dir.resolve("back").toString());
        assertThat(r.code()).as(r.err()).isZero();
        Path back = dir.resolve("back/" + stem + ".dln");
        float[][] x = randomInputs(file, 3, new Random(seed));
        float[][] want = predict(file, weights, 3, x);
        float[][] got = predict(back, dir.resolve("back/" + stem + ".safetensors"), 3, x);
        for (int o = 0; o < want.length; o++) assertClose(got[o], want[o]);
    }

    /** Gemm with transB = 0, alpha and beta; MatMul + Add (bias first); Elu; Softmax: as ONNX Runtime computes them. */
    @Test void denseFormsAgreeWithOnnxRuntime() throws Exception {
        Random random = new Random(21);
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(input("x", 4)).addOutput(input("y", 5))
                .addInitializer(floats("w1", gaussian(random, 12), 4, 3)).addInitializer(floats("c1", gaussian(random, 3), 3))
                .addInitializer(floats("w2", gaussian(random, 15), 3, 5)).addInitializer(floats("b2", gaussian(random, 5), 5))
                .addNode(node("Gemm", "fc1/Gemm", new String[] {"x", "w1", "c1"}, "g", attr("alpha", 0.5f), attr("beta", 2f)))
                .addNode(node("MatMul", "fc2/MatMul", new String[] {"g", "w2"}, "m"))
                .addNode(node("Add", "fc2/Add", new String[] {"b2", "m"}, "a"))
                .addNode(node("Elu", "elu", new String[] {"a"}, "e", attr("alpha", 0.7f)))
                .addNode(node("Softmax", "softmax", new String[] {"e"}, "y", attr("axis", 1L)))
                .build();
        agreesWithOnnxRuntime(g, "dense(3, name: fc1)", "dense(5, name: fc2)", "elu(alpha: 0.7) -> softmax");
    }

    /** A bidirectional RNN with ReLU whose every step is read (Y transposed and reshaped as PyTorch writes it), then flattened: as ONNX Runtime computes it. */
    @Test void aBidirectionalReluRnnReadingEveryStepAgreesWithOnnxRuntime() throws Exception {
        Random random = new Random(22);
        AttributeProto relu = AttributeProto.newBuilder().setName("activations").setType(AttributeProto.AttributeType.STRINGS)
                .addStrings(ByteString.copyFromUtf8("Relu")).addStrings(ByteString.copyFromUtf8("Relu")).build();
        GraphProto g = GraphProto.newBuilder().setName("g").addInput(input("x", 6, 2)).addOutput(input("y", 2))
                .addInitializer(floats("w", gaussian(random, 16), 2, 4, 2)).addInitializer(floats("r", gaussian(random, 32), 2, 4, 4))
                .addInitializer(floats("b", gaussian(random, 16), 2, 8)).addInitializer(floats("head", gaussian(random, 96), 2, 48))
                .addInitializer(longs("to", 0, 0, -1))
                .addNode(node("Transpose", "t", new String[] {"x"}, "xt", ints("perm", 1, 0, 2)))
                .addNode(node("RNN", "rnn/RNN", new String[] {"xt", "w", "r", "b"}, "ys", attr("hidden_size", 4L), relu,
                        AttributeProto.newBuilder().setName("direction").setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8("bidirectional")).build()))
                .addNode(node("Transpose", "t2", new String[] {"ys"}, "ys2", ints("perm", 0, 2, 1, 3)))
                .addNode(node("Reshape", "r", new String[] {"ys2", "to"}, "yr"))
                .addNode(node("Transpose", "t3", new String[] {"yr"}, "yb", ints("perm", 1, 0, 2)))
                .addNode(node("Flatten", "f", new String[] {"yb"}, "flat"))
                .addNode(node("Gemm", "head/Gemm", new String[] {"flat", "head"}, "y", attr("transB", 1L)))
                .build();
        agreesWithOnnxRuntime(g, "rnn(4, activation: relu, bidirectional: true, sequences: true, name: rnn)", "-> flatten", "dense(2, bias: false, name: head)");
    }

    /** Imports {@code graph} (whose .dln must contain {@code expected}) and compares its predictions with ONNX Runtime's on random inputs. */
    private void agreesWithOnnxRuntime(GraphProto graph, String... expected) throws Exception {
        ModelProto m = ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(graph).build();
        DlncTest.Run r = importModel(m);
        assertThat(r.code()).as(r.err()).isZero();
        Path dln = dir.resolve("out/m.dln");
        assertThat(Files.readString(dln)).contains(expected);
        float[][] x = randomInputs(dln, 3, new Random(5));
        Run.Compiled compiled = Run.compile(dln.toString(), null, null, new PrintWriter(new StringWriter()), false);
        Model.Info info;
        try (Model model = compiled.create(Backends.open("java"), 1, true)) {
            info = model.info();
        }
        float[][] want = ExportCommandTest.onnxRuntime(dir.resolve("m.onnx"), info, 3, x);
        float[][] got = predict(dln, dir.resolve("out/m.safetensors"), 3, x);
        assertClose(got[0], want[0]);
    }

    @Test void anOperatorWithoutALayerIsNamedWithItsNodeAndNothingIsWritten() throws IOException {
        NodeProto cos = NodeProto.newBuilder().setName("head/Cos").setOpType("Cos").addInput("x").addOutput("y").build();
        DlncTest.Run r = importModel(model(cos, input("x", 4), input("y", 4)));
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.err()).contains("m.onnx: the model has parts DLN cannot express", "node `head/Cos` (Cos): operator `Cos` has no DLN layer");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test void anAttributeWithoutADlnFormIsNamed() throws IOException {
        NodeProto conv = NodeProto.newBuilder().setName("conv").setOpType("Conv").addInput("x").addInput("w").addOutput("y")
                .addAttribute(AttributeProto.newBuilder().setName("group").setType(AttributeProto.AttributeType.INT).setI(2)).build();
        GraphProto.Builder g = model(conv, input("x", 2, 5, 5), input("y", 2, 3, 3)).getGraph().toBuilder()
                .addInitializer(floats("w", new float[2 * 1 * 9], 2, 1, 3, 3));
        DlncTest.Run r = importModel(ModelProto.newBuilder().addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build());
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.err()).contains("node `conv` (Conv): attribute `group` = 2: DLN's convolutions are not grouped");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test void aTruncatedFileIsNamedAsDamaged() throws IOException {
        byte[] bytes = Files.readAllBytes(FIXTURES.resolve("lenet5.onnx"));
        Path cut = dir.resolve("cut.onnx");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        DlncTest.Run r = DlncTest.dlnc("import", cut.toString(), "-o", dir.resolve("out").toString());
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.err()).contains(cut + ": not an ONNX model, or a damaged one");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test void aMissingFileIsNamed() {
        DlncTest.Run r = DlncTest.dlnc("import", dir.resolve("none.onnx").toString(), "-o", dir.resolve("out").toString());
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.err()).contains(dir.resolve("none.onnx").toString());
    }

    @Test void existingFilesAreKeptUnlessForced() throws IOException {
        Path dln = Files.writeString(dir.resolve("mlp.dln"), "mine");
        String[] args = {"import", FIXTURES.resolve("mlp.onnx").toString(), "-o", dir.toString()};
        DlncTest.Run r = DlncTest.dlnc(args);
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.err()).contains(dln + " already exists: give --force to replace it");
        assertThat(Files.readString(dln)).isEqualTo("mine");
        assertThat(dir.resolve("mlp.safetensors")).doesNotExist();
        assertThat(DlncTest.dlnc(Stream.concat(Arrays.stream(args), Stream.of("--force")).toArray(String[]::new)).code()).isZero();
        assertThat(Files.readString(dln)).contains("model Mlp {");
    }

    @Test void namesFromTheFileAreMadeSafe() throws IOException {
        String hostile = "fc\n*/ model X {\u0007";
        NodeProto gemm = NodeProto.newBuilder().setName(hostile).setOpType("Gemm").addInput("in put\n").addInput(hostile + ".weight").addOutput("out\u0000")
                .addAttribute(AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT).setI(1)).build();
        ModelProto m = model(gemm, input("in put\n", 3), input("out\u0000", 2));
        m = m.toBuilder().setProducerName("evil\n// producer").setGraph(m.getGraph().toBuilder().addInitializer(floats(hostile + ".weight", new float[6], 2, 3))).build();
        DlncTest.Run r = importModel(m);
        assertThat(r.code()).as(r.err()).isZero();
        String dln = Files.readString(dir.resolve("out/m.dln"));
        assertThat(dln).contains("input in_put: [3]", "output out = in_put", "dense(2, bias: false, name: fc_model_X)", "made by `evil\\u000a// producer`");
        assertThat(dln.chars().filter(c -> c < 0x20 && c != '\n')).isEmpty();
        assertThat(DlncTest.dlnc("check", dir.resolve("out/m.dln").toString()).code()).isZero();
    }

    @Test void aTensorDeclaringMoreThanItHoldsIsRefusedWithoutAllocatingIt() throws IOException {
        NodeProto gemm = NodeProto.newBuilder().setName("fc").setOpType("Gemm").addInput("x").addInput("w").addOutput("y").build();
        ModelProto m = model(gemm, input("x", 3), input("y", 2));
        m = m.toBuilder().setGraph(m.getGraph().toBuilder().addInitializer(floats("w", new float[1], 1L << 40, 1L << 40))).build();
        DlncTest.Run r = importModel(m);
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.err()).contains("initializer `w`: tensor `w` declares [1099511627776, 1099511627776] (over 2^31 values) but holds 1 values");
    }

    @Test void anInputWithoutAFixedSizeIsNamed() throws IOException {
        NodeProto relu = NodeProto.newBuilder().setName("r").setOpType("Relu").addInput("x").addOutput("y").build();
        ValueInfoProto x = input("x", 4).toBuilder().setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(TensorShapeProto.newBuilder()
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("T"))))).build();
        DlncTest.Run r = importModel(model(relu, x, input("y", 4)));
        assertThat(r.code()).isEqualTo(Dlnc.BAD_INPUT);
        assertThat(r.err()).contains("input `x` has no fixed size on axis 1 (`T`)");
    }

    /** Damaged copies of the fixtures (bytes changed at random): each is imported or refused with a message, never an internal error. */
    @Test void damagedFilesAreImportedOrRefusedButNeverCrash() throws IOException {
        Random random = new Random(15);
        for (String name : new String[] {"mlp", "resnet", "lstm", "gru"}) {
            byte[] original = Files.readAllBytes(FIXTURES.resolve(name + ".onnx"));
            for (int k = 0; k < 25; k++) {
                byte[] bytes = original.clone();
                for (int i = 0; i < 1 + random.nextInt(4); i++) bytes[random.nextInt(Math.min(bytes.length, 4000))] = (byte) random.nextInt(256);
                Path f = Files.write(dir.resolve("d.onnx"), bytes);
                DlncTest.Run r = DlncTest.dlnc("import", f.toString(), "-o", dir.resolve("d" + k).toString(), "--force");
                assertThat(r.code()).as("%s #%d: %s", name, k, r.err()).isIn(Dlnc.OK, Dlnc.BAD_INPUT);
                if (r.code() == Dlnc.BAD_INPUT) assertThat(r.err()).as("%s #%d", name, k).startsWith("dlnc: error: ").doesNotContain("Exception");
            }
        }
    }

    // ---- helpers ----

    private DlncTest.Run importModel(ModelProto m) throws IOException {
        Path f = Files.write(dir.resolve("m.onnx"), m.toByteArray());
        return DlncTest.dlnc("import", f.toString(), "-o", dir.resolve("out").toString());
    }

    /** A model of one node reading graph input {@code in} and writing graph output {@code out}, at opset 13. */
    private static ModelProto model(NodeProto node, ValueInfoProto in, ValueInfoProto out) {
        GraphProto g = GraphProto.newBuilder().setName("g").addNode(node).addInput(in).addOutput(out).build();
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build();
    }

    /** A float tensor [N, dims...] named {@code name}. */
    private static ValueInfoProto input(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (long d : dims) shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static NodeProto node(String op, String name, String[] inputs, String output, AttributeProto... attributes) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(Arrays.asList(inputs)).addOutput(output).addAllAttribute(Arrays.asList(attributes)).build();
    }

    private static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    private static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    private static float[] gaussian(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = 0.5f * (float) random.nextGaussian();
        return x;
    }

    private static TensorProto longs(String name, long... values) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE).addDims(values.length)
                .addAllInt64Data(Arrays.stream(values).boxed().toList()).build();
    }

    private static TensorProto floats(String name, float[] values, long... dims) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) t.addDims(d);
        return t.build();
    }

    /** The model's outputs for {@code n} examples, on the JVM backend. */
    private static float[][] predict(Path dln, Path weights, int n, float[][] x) {
        Run.Compiled compiled = Run.compile(dln.toString(), null, null, new PrintWriter(new StringWriter()), false);
        try (Model model = compiled.create(Backends.open("java"), n, true)) {
            model.load(weights);
            return model.predict(n, x);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Gaussian inputs for {@code n} examples of each of the model's inputs. */
    private static float[][] randomInputs(Path dln, int n, Random random) {
        Run.Compiled compiled = Run.compile(dln.toString(), null, null, new PrintWriter(new StringWriter()), false);
        try (Model model = compiled.create(Backends.open("java"), 1, true)) {
            List<long[]> shapes = model.info().inputShapes();
            float[][] x = new float[shapes.size()][];
            for (int i = 0; i < x.length; i++) {
                x[i] = new float[n * (int) Arrays.stream(shapes.get(i)).reduce(1, (a, b) -> a * b)];
                for (int j = 0; j < x[i].length; j++) x[i][j] = (float) random.nextGaussian();
            }
            return x;
        }
    }

    /** Weights drawn with {@code seed} (positive running variances), saved to {@code to}. */
    private static Path randomWeights(Path dln, Path to, long seed) {
        Run.Compiled compiled = Run.compile(dln.toString(), null, null, new PrintWriter(new StringWriter()), false);
        Random random = new Random(seed);
        try (Model model = compiled.create(Backends.open("java"), 1, true)) {
            for (String name : model.parameterNames()) {
                float[] v = new float[model.parameter(name).length];
                for (int i = 0; i < v.length; i++) v[i] = name.endsWith("running_var") ? 0.5f + random.nextFloat() : 0.2f * (float) random.nextGaussian();
                model.setParameter(name, v);
            }
            model.save(to);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return to;
    }

    private static void assertClose(float[] got, float[] want) {
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.length; i++) {
            assertThat(Math.abs(got[i] - want[i])).as("[%d]: %s vs %s", i, got[i], want[i]).isLessThanOrEqualTo(1e-4f * Math.max(1f, Math.abs(want[i])));
        }
    }
}
