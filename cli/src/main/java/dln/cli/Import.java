package dln.cli;

import dln.Compiler;
import dln.diag.Renderer;
import dln.diag.Source;
import dln.net.ParamSpec;
import dln.onnx.OnnxImporter;
import dln.onnx.proto.OnnxProto.ModelProto;
import dln.op.Network;
import dln.runtime.io.AtomicFiles;
import dln.runtime.io.FileErrors;
import dln.runtime.io.Safetensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `dlnc import`: an ONNX model as a .dln file and a safetensors file of its weights. The model is
 * checked by the compiler, and its parameters matched against the weights, before either file is
 * written; existing files are kept unless --force.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Turn an ONNX model into a .dln file and its weights (safetensors), or say which nodes DLN cannot express.")
final class Import implements Callable<Integer> {
    /** ONNX files above this size are refused before reading (protobuf's own limit is 2 GiB). */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(paramLabel = "MODEL.onnx", description = "The ONNX model.")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true,
            description = "The folder to write NAME.dln and NAME.safetensors in (created if missing), NAME being MODEL's file name without .onnx.")
    Path dir;

    @Option(names = "--name", paramLabel = "NAME", description = "The model's name in the .dln file (default: from MODEL's file name).")
    String modelName;

    @Option(names = "--force", description = "Replace the .dln and .safetensors files if they exist.")
    boolean force;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        return Run.guarded(err, () -> {
            if (modelName != null && !modelName.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new Run.Failure(Dlnc.USAGE, "--name " + quoted(modelName) + " is not a DLN name (letters, digits and _, not starting with a digit)");
            }
            String stem = file.getFileName() == null ? "model" : file.getFileName().toString().replaceFirst("(?i)\\.onnx$", "");
            Path dln = dir.resolve(stem + ".dln");
            Path weights = dir.resolve(stem + ".safetensors");
            if (!force) for (Path p : List.of(dln, weights)) if (Files.exists(p)) throw new Run.Failure(Dlnc.BAD_INPUT, p + " already exists: give --force to replace it");
            ModelProto model = read(file);
            String name = modelName != null ? modelName : camel(stem);
            OnnxImporter.Imported imported;
            try {
                imported = OnnxImporter.importModel(model, name, header(model, stem));
            } catch (OnnxImporter.NotImportable e) {
                throw new Run.Failure(Dlnc.BAD_INPUT, file + ": " + e.getMessage());
            }
            Network net = check(dln, imported.dln());
            matches(net, imported.weights());
            write(dln, weights, imported);
            spec.commandLine().getOut().println("wrote " + dln + " (" + net.layers().size() + " layers) and " + weights + " (" + imported.weights().size() + " tensors)");
            return Dlnc.OK;
        });
    }

    private static ModelProto read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new Run.Failure(Dlnc.BAD_INPUT, file + ": " + FileErrors.unreadable(file));
        if (Files.size(file) > MAX_BYTES) throw new Run.Failure(Dlnc.BAD_INPUT, file + ": larger than 2 GiB, which dlnc import does not read (ONNX external data is not supported)");
        byte[] bytes = Files.readAllBytes(file);
        try {
            return ModelProto.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new Run.Failure(Dlnc.BAD_INPUT, file + ": not an ONNX model, or a damaged one (" + e.getMessage() + ")");
        }
    }

    /** Where the model came from, each line safe to write in a comment. */
    private static List<String> header(ModelProto model, String stem) {
        String producer = (model.getProducerName() + " " + model.getProducerVersion()).trim();
        String opsets = model.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty()).map(o -> "opset " + o.getVersion()).findFirst().orElse("");
        return List.of(
                "Imported by `dlnc import` from " + quoted(stem + ".onnx") + (producer.isEmpty() ? "" : ", made by " + quoted(producer)) + (opsets.isEmpty() ? "" : " (ONNX " + opsets + ")") + ".",
                "Its weights: `dlnc predict " + quoted(stem + ".dln").replace("`", "") + " -w " + quoted(stem + ".safetensors").replace("`", "") + " -i X.npy -o -`.");
    }

    private static String quoted(String raw) {
        return OnnxImporter.quote(raw);
    }

    private static String camel(String stem) {
        StringBuilder b = new StringBuilder();
        for (String part : stem.split("[^A-Za-z0-9]+")) {
            if (!part.isEmpty()) b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        String s = b.toString();
        return s.isEmpty() || Character.isDigit(s.charAt(0)) ? "Imported" + s : s;
    }

    /** The compiler's check of the written text: an ONNX model that maps to layers DLN refuses fails here, with the compiler's diagnostics. */
    private Network check(Path dln, String text) {
        Compiler.Result result = Compiler.check(new Source(dln.toString(), null, text));
        if (!result.ok()) {
            spec.commandLine().getErr().print(new Renderer(false).render(result.diagnostics()));
            throw new Run.Failure(Dlnc.BAD_INPUT, file + ": the imported model does not pass DLN's check (above); nothing was written");
        }
        return result.networks().values().iterator().next();
    }

    /** Every parameter of the checked model has its tensor, of its shape, and no tensor is left over: else the importer has a bug. */
    private static void matches(Network net, Map<String, Safetensors.Tensor> weights) {
        Map<String, Safetensors.Tensor> left = new HashMap<>(weights);
        for (Network.Layer layer : net.layers()) {
            for (ParamSpec p : layer.params()) {
                Safetensors.Tensor t = left.remove(layer.name() + "." + p.name());
                if (t == null || !Arrays.equals(t.shape(), p.shape().dims())) throw new IllegalStateException("the imported weights do not match parameter " + layer.name() + "." + p.name());
            }
        }
        if (!left.isEmpty()) throw new IllegalStateException("the imported weights have tensors no layer reads: " + left.keySet());
    }

    /** Writes the weights, then the model; when the model cannot be written, a weights file this run created is removed again. */
    private static void write(Path dln, Path weights, OnnxImporter.Imported imported) throws IOException {
        Files.createDirectories(dln.toAbsolutePath().getParent());
        boolean existed = Files.exists(weights);
        Safetensors.write(weights, imported.weights(), Map.of("format", "pt"));
        try {
            AtomicFiles.write(dln, imported.dln().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            if (!existed) Files.deleteIfExists(weights);
            throw e;
        }
    }
}
