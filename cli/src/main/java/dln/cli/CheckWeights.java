package dln.cli;

import dln.Compiler;
import dln.net.ParamSpec;
import dln.op.Network;
import dln.runtime.WeightMatch;
import dln.runtime.io.Safetensors;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * `dlnc check FILE -w W.safetensors [--model NAME]`: how the tensors of a weights file match a
 * model's parameters, as {@link WeightMatch} matches them when the weights load: a table of every
 * parameter and every tensor left over. Exit 0 when they all match, 1 otherwise.
 */
final class CheckWeights {
    private CheckWeights() {}

    static int run(List<String> files, Path weights, String modelName, Dlnc.Output output) {
        return Run.guarded(output.spec.commandLine().getErr(), () -> {
            if (weights == null) throw new Run.Failure(Dlnc.USAGE, "--model picks the model whose weights -w checks: give -w W.safetensors too");
            if (files.size() != 1) throw new Run.Failure(Dlnc.USAGE, "-w checks the weights of one model: give one FILE, not " + files.size());
            return Dlnc.check(files, output, (path, result, out, err) -> report(result, files.get(0), weights, modelName, output.quiet, out));
        });
    }

    /** Prints the match of the weights against the chosen model; returns the number of problems. */
    private static int report(Compiler.Result result, String file, Path weights, String modelName, boolean quiet, PrintWriter out) {
        String model = Run.choose(new ArrayList<>(result.networks().keySet()), result, modelName, file);
        WeightMatch match;
        try {
            match = WeightMatch.of(parameters(result.networks().get(model)), Safetensors.read(weights), Safetensors.dtypes(weights));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (quiet && match.ok()) return 0;
        out.println("model " + model + ", weights " + weights + ": " + match.counts());
        out.print(match.table(quiet));
        return (int) match.rows().stream().filter(r -> r.status().problem()).count();
    }

    /** The model's parameters and running statistics with their shapes, as its weights file holds them. */
    private static List<WeightMatch.Parameter> parameters(Network net) {
        List<WeightMatch.Parameter> out = new ArrayList<>();
        for (Network.Layer layer : net.layers()) {
            for (ParamSpec p : layer.params()) out.add(new WeightMatch.Parameter(layer.name() + "." + p.name(), p.shape().dims()));
        }
        return out;
    }
}
