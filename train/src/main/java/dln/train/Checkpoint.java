package dln.train;

import dln.runtime.Model;
import dln.runtime.data.DataError;
import dln.runtime.io.AtomicFiles;
import dln.runtime.io.Safetensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint folder: {@code best.safetensors} and {@code last.safetensors} (weights, loadable by
 * {@code dlnc predict} and PyTorch), {@code log.csv} (one row per epoch), {@code curves.svg} (its plot) and
 * {@code optimizer.safetensors}, the state to resume from. That last one is whole on its own — the
 * weights, the optimizer's buffers, the best weights so far, the epoch and step counters, the
 * schedule's and the monitor's state and the log as metadata — and is written last, so a run killed
 * at any moment resumes from one consistent epoch. Every file is replaced atomically.
 */
public final class Checkpoint {
    public static final String BEST = "best.safetensors";
    public static final String LAST = "last.safetensors";
    public static final String STATE = "optimizer.safetensors";
    public static final String LOG = "log.csv";
    public static final String CURVES = "curves.svg";

    private static final String WEIGHTS = "weights/";
    private static final String OPTIMIZER = "optimizer/";
    private static final String BEST_WEIGHTS = "best/";

    private final Path folder;
    private boolean swept;

    public Checkpoint(Path folder) {
        this.folder = folder;
    }

    public Path folder() { return folder; }

    public Path file(String name) { return folder.resolve(name); }

    /**
     * How many epochs the checkpoint in {@code folder} holds, read from its state file; -1 when there
     * is none or it cannot be read. The state is replaced atomically, so this is what a resume gets.
     */
    public static long epochs(Path folder) {
        try {
            Path state = folder.resolve(STATE);
            return Files.exists(state) ? Long.parseLong(Safetensors.metadata(state).get("epoch")) : -1;
        } catch (IOException | RuntimeException unreadable) {
            return -1;
        }
    }

    /** What a resumed run restores besides the tensors: counters, settings and the log, as strings. */
    public record State(Map<String, String> metadata, Map<String, Safetensors.Tensor> best) {}

    /**
     * Saves the end of an epoch: the best weights when {@code bestIsNew}, the last weights, the log
     * and its plot, then the resumable state.
     */
    public void save(Model model, Map<String, Safetensors.Tensor> best, boolean bestIsNew, Map<String, String> metadata, String log,
                     String curves) throws IOException {
        Files.createDirectories(folder);
        if (!swept) sweep();
        Map<String, String> tags = Map.of("format", "pt", "dln.model", model.info().name());
        Map<String, Safetensors.Tensor> weights = model.weights();
        if (bestIsNew && best != null) Safetensors.write(file(BEST), best, tags);
        Safetensors.write(file(LAST), weights, tags);
        AtomicFiles.write(file(LOG), log.getBytes(StandardCharsets.UTF_8));
        if (curves != null) AtomicFiles.write(file(CURVES), curves.getBytes(StandardCharsets.UTF_8));
        Map<String, Safetensors.Tensor> state = new LinkedHashMap<>();
        weights.forEach((k, v) -> state.put(WEIGHTS + k, v));
        model.optimizerState().forEach((k, v) -> state.put(OPTIMIZER + k, v));
        if (best != null) best.forEach((k, v) -> state.put(BEST_WEIGHTS + k, v));
        Map<String, String> all = new LinkedHashMap<>(metadata);
        all.put("dln.model", model.info().name());
        all.put(Model.STEPS, Long.toString(model.steps()));
        Safetensors.write(file(STATE), state, all);
    }

    /** Deletes what a killed run's writes left: the hidden temporary files of {@link AtomicFiles}, never the checkpoint itself. */
    private void sweep() throws IOException {
        swept = true;
        try (var files = Files.list(folder)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                boolean ours = List.of(BEST, LAST, STATE, LOG, CURVES).stream().anyMatch(f -> name.startsWith("." + f + "."));
                if (ours && name.endsWith(".tmp")) Files.deleteIfExists(p);
            }
        }
    }

    public boolean exists() { return Files.isRegularFile(file(STATE)); }

    /** Restores the weights, optimizer buffers and step count into {@code model}; returns the rest. */
    public State restore(Model model) throws IOException {
        Path file = file(STATE);
        if (!Files.isRegularFile(file)) {
            throw new DataError(folder + ": nothing to resume: there is no " + STATE + " in this folder (it is written after each epoch)");
        }
        Map<String, String> metadata = Safetensors.metadata(file);
        if (!model.info().name().equals(metadata.get("dln.model"))) {
            throw new DataError(file + ": a checkpoint of model " + metadata.get("dln.model") + ", not " + model.info().name());
        }
        Map<String, Safetensors.Tensor> weights = new LinkedHashMap<>(), optimizer = new LinkedHashMap<>(), best = new LinkedHashMap<>();
        Safetensors.read(file).forEach((k, v) -> {
            if (k.startsWith(WEIGHTS)) weights.put(k.substring(WEIGHTS.length()), v);
            else if (k.startsWith(OPTIMIZER)) optimizer.put(k.substring(OPTIMIZER.length()), v);
            else if (k.startsWith(BEST_WEIGHTS)) best.put(k.substring(BEST_WEIGHTS.length()), v);
        });
        model.setWeights(weights, file.toString());
        model.setOptimizerState(optimizer, file.toString());
        model.setSteps(Long.parseLong(metadata.get(Model.STEPS)));
        return new State(metadata, best.isEmpty() ? null : best);
    }
}
