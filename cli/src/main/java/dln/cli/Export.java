package dln.cli;

import dln.onnx.OnnxExporter;
import dln.runtime.Model;
import dln.runtime.io.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `dlnc export`: a model's inference graph with its trained weights, as an ONNX file. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a model's inference graph with its weights as ONNX (batch dimension N, weights under DLN's names).")
final class Export implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(paramLabel = "FILE", description = "The .dln file.")
    String file;

    @Option(names = "--model", paramLabel = "NAME", description = "The model to export when the file has several.")
    String modelName;

    @CommandLine.Mixin
    ImportPath importPath = new ImportPath();

    @Option(names = {"-w", "--weights"}, paramLabel = "FILE", required = true, description = "The trained weights (safetensors).")
    Path weights;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT.onnx", required = true, description = "Where to write the ONNX model.")
    Path output;

    @Option(names = "--opset", paramLabel = "N", defaultValue = "" + OnnxExporter.DEFAULT_OPSET,
            description = "The ONNX opset, " + OnnxExporter.MIN_OPSET + " to " + OnnxExporter.MAX_OPSET + " (default: ${DEFAULT-VALUE}).")
    int opset;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        return Run.guarded(err, () -> {
            if (opset < OnnxExporter.MIN_OPSET || opset > OnnxExporter.MAX_OPSET) {
                throw new Run.Failure(Dlnc.USAGE, "--opset " + opset + ": dlnc writes opsets " + OnnxExporter.MIN_OPSET + " to " + OnnxExporter.MAX_OPSET);
            }
            Run.Compiled compiled = Run.compile(file, modelName, importPath.roots(Path.of(file)), err, false);
            var network = compiled.checked().networks().get(compiled.generated().model());
            byte[] bytes;
            try (Model model = compiled.create(dln.runtime.device.Backends.open("java"), 1, true)) {
                model.load(weights);
                bytes = OnnxExporter.export(network, model.weights(), opset).toByteArray();
            }
            AtomicFiles.write(output, bytes);
            return Dlnc.OK;
        });
    }
}
