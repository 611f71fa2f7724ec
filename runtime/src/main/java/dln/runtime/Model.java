package dln.runtime;

import dln.runtime.io.Safetensors;
import dln.runtime.kernel.Kernel;
import dln.runtime.kernel.OptimizerStep;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The base of every generated model class. The compiler plans the buffers ({@link Slot}s) and
 * the kernels; the generated subclass holds the schedule as straight-line launches in
 * {@link #forward}, {@link #loss}, {@link #backward} and {@link #update}. This class allocates,
 * moves data in and out, and sequences a training step, with no host wait between kernels.
 */
public abstract class Model implements AutoCloseable {

    /**
     * What a generated model says about itself. Input {@code x} lives in buffer `input:x`; output
     * {@code i} in {@code outputBuffers.get(i)}. With {@code labels}, targets are class indices.
     * {@code source} is the .dln file it came from; {@code data} its train block's data setting as
     * written (null without one).
     */
    public record Info(String name, List<String> inputs, List<long[]> inputShapes, List<Boolean> intInputs,
                       List<String> outputs, List<String> outputBuffers, List<long[]> outputShapes, boolean trainable, boolean labels,
                       String loss, String optimizer, double learningRate, String source, String data) {}

    /**
     * Mean loss and accuracy over the examples seen since the last call. {@code finiteBatches}
     * counts the batches (training steps, or evaluation chunks) after which the sum of the losses
     * was still finite: all of them while the loss is finite, else the number before the first whose
     * loss was NaN or infinite, that is the index of that batch, counting from 0.
     */
    public record Metrics(double loss, double accuracy, long examples, long finiteBatches) {}

    /** The metadata key of the step count in {@link #saveState}'s file. */
    public static final String STEPS = "dln.steps";

    private final Backend backend;
    private final int maxBatch;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final Map<String, Buffer> buffers = new LinkedHashMap<>();
    private long step;
    private long examples;
    private long launches;
    private final boolean predictionOnly;
    private double learningRate;
    /** The optimizer step's kernel, which says what the hyper buffer holds; null for a model with nothing to update. */
    private final OptimizerStep optimizer;
    private final List<Kernel> kernels;

    protected Model(Backend backend, int maxBatch, List<Slot> plan, List<Kernel> kernels) {
        this(backend, maxBatch, plan, kernels, null);
    }

    /**
     * With {@code predictionOnly} (the buffers prediction uses, null for all), a model made only to
     * predict: it allocates no gradients, optimizer state, targets or metrics, and refuses to train
     * or evaluate. The parameters are all there, to load, save and initialize.
     */
    protected Model(Backend backend, int maxBatch, List<Slot> plan, List<Kernel> kernels, java.util.Set<String> predictionOnly) {
        if (maxBatch < 1) throw new IllegalArgumentException("the batch size must be at least 1, not " + maxBatch);
        this.backend = backend;
        this.maxBatch = maxBatch;
        this.predictionOnly = predictionOnly != null;
        for (Slot s : plan) {
            slots.put(s.name(), s);
            boolean kept = predictionOnly == null || predictionOnly.contains(s.name())
                    || s.role() == Slot.Role.PARAM || s.role() == Slot.Role.STATE || s.role() == Slot.Role.INPUT;
            if (kept) buffers.put(s.name(), backend.allocate(s.size(maxBatch)));
        }
        backend.compile(this::program, kernels);
        this.learningRate = info().learningRate();
        this.kernels = List.copyOf(kernels);
        this.optimizer = (OptimizerStep) kernels.stream().filter(k -> k instanceof OptimizerStep).findFirst().orElse(null);
    }

    public abstract Info info();

    /**
     * The OpenCL program that dlnc emitted for this class: the resource {@code Name.cl} beside it
     * (`dlnc -o` writes it next to the Java file; the Maven plugin packs it next to the class). Read
     * only by an OpenCL backend: the program that runs is the emitted file, never a copy made again.
     */
    private String program() {
        String file = getClass().getSimpleName() + ".cl";
        try (java.io.InputStream in = getClass().getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("the OpenCL program " + file + " of " + getClass().getName() + " is not on the class path: "
                        + "keep the .cl file that dlnc wrote beside the Java file, in the class's package (the Maven plugin packs it as a resource)");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the OpenCL program " + file + " of " + getClass().getName() + ": " + e.getMessage(), e);
        }
    }

    /** Runs the layers on the first {@code n} examples of the input buffers. */
    protected abstract void forward(int n, boolean training, int step);

    /** Computes the loss gradient of the output and adds the loss and correct count to the metrics. */
    protected abstract void loss(int n);

    protected abstract void backward(int n, int step);

    protected abstract void update();

    public final Backend backend() { return backend; }

    public final int maxBatch() { return maxBatch; }

    /** The buffer of a slot; null for one that a prediction-only model did not allocate. */
    protected final Buffer buffer(String name) {
        Buffer b = buffers.get(name);
        if (b == null && !(predictionOnly && slots.containsKey(name))) throw new IllegalStateException("no buffer " + name);
        return b;
    }

    protected final void launch(Kernel k, int n, int step, Buffer... args) {
        launches++;
        backend.launch(k, n, step, args);
    }

    /** The model's kernels, as its OpenCL program holds them (what `dlnc bench --tune` tunes). */
    public final List<Kernel> kernels() { return kernels; }

    /** Kernel launches this model has queued since it was made: `dlnc bench` divides them by steps and batches. */
    public final long launches() { return launches; }

    // ---- parameters

    /** Parameter and state names (what a weights file holds), in layer order. */
    public final List<String> parameterNames() {
        List<String> out = new ArrayList<>();
        for (Slot s : slots.values()) if (s.role() == Slot.Role.PARAM || s.role() == Slot.Role.STATE) out.add(s.name());
        return out;
    }

    public final long[] shape(String name) { return slot(name).shape().clone(); }

    public final float[] parameter(String name) {
        Slot s = slot(name);
        float[] out = new float[Math.toIntExact(s.per())];
        backend.read(buffers.get(name), out);
        return out;
    }

    public final void setParameter(String name, float[] values) {
        Slot s = slot(name);
        if (values.length != s.per()) {
            throw new IllegalArgumentException(name + " has " + s.per() + " values " + Arrays.toString(s.shape()) + ", not " + values.length);
        }
        backend.write(buffers.get(name), values);
    }

    private Slot slot(String name) {
        Slot s = slots.get(name);
        if (s == null || (s.role() != Slot.Role.PARAM && s.role() != Slot.Role.STATE)) {
            throw new IllegalArgumentException("model " + info().name() + " has no parameter " + name);
        }
        return s;
    }

    /** Sets every parameter from its initializer with this seed, and clears the optimizer state. */
    public final void initialize(long seed) {
        for (Slot s : slots.values()) {
            if (s.init() != null) backend.write(buffers.get(s.name()), s.init().values(s.per(), seed, s.name()));
            else if (s.role() == Slot.Role.OPTIMIZER && !predictionOnly) backend.write(buffers.get(s.name()), new float[Math.toIntExact(s.per())]);
        }
        step = 0;
    }

    /**
     * Writes every parameter and state buffer to a safetensors file, atomically: a crash leaves the
     * previous file whole. The metadata names the model.
     */
    public final void save(Path file) throws IOException {
        Safetensors.write(file, weights(), Map.of("format", "pt", "dln.model", info().name()));
    }

    /**
     * Reads weights saved by {@link #save} or by PyTorch (its state dict saved with safetensors: same
     * layouts, and the names {@link WeightMatch} accepts). Every parameter and running statistic the model
     * has must be there once, with its shape; nothing is changed unless all are.
     */
    public final void load(Path file) throws IOException {
        setWeights(Safetensors.read(file), Safetensors.dtypes(file), file.toString());
    }

    /** Every parameter and state buffer, by name, in layer order: what {@link #save} writes. */
    public final Map<String, Safetensors.Tensor> weights() {
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        for (String name : parameterNames()) tensors.put(name, new Safetensors.Tensor(shape(name), parameter(name)));
        return tensors;
    }

    /** Float32 tensors, as {@link #weights} gives them, by DLN's or PyTorch's names: see {@link #setWeights(Map, Map, String)}. */
    public final void setWeights(Map<String, Safetensors.Tensor> tensors, String source) {
        setWeights(tensors, Map.of(), source);
    }

    /**
     * Sets the weights from tensors named as {@link #weights} or a PyTorch state dict names them
     * ({@code dtypes}: each one's dtype in the file, F32 when not given; {@code source} names where they
     * came from, for the message). Nothing is changed unless every parameter has its tensor, of its
     * shape, and every other tensor is one to ignore; else the message lists every problem, one a line.
     */
    public final void setWeights(Map<String, Safetensors.Tensor> tensors, Map<String, String> dtypes, String source) {
        WeightMatch match = WeightMatch.of(parameters(), tensors, dtypes);
        if (!match.ok()) throw new IllegalArgumentException(match.failure(source, info().name()));
        match.matched().forEach((name, tensor) -> setParameter(name, tensors.get(tensor).data()));
    }

    /** Every parameter and state buffer with its shape, in layer order: what a weights file must hold. */
    public final List<WeightMatch.Parameter> parameters() {
        return parameterNames().stream().map(name -> new WeightMatch.Parameter(name, shape(name))).toList();
    }

    // ---- optimizer state

    /** The optimizer's buffers (momentum, moments), each as a vector named by its slot: {@code momentum:dense_1.weight}. */
    public final Map<String, Safetensors.Tensor> optimizerState() {
        requireTraining();
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        for (Slot s : slots.values()) {
            if (s.role() != Slot.Role.OPTIMIZER) continue;
            float[] values = new float[Math.toIntExact(s.per())];
            backend.read(buffers.get(s.name()), values);
            tensors.put(s.name(), new Safetensors.Tensor(new long[] {s.per()}, values));
        }
        return tensors;
    }

    /** Sets the optimizer's buffers from {@link #optimizerState}'s tensors; nothing changes unless all are there and fit. */
    public final void setOptimizerState(Map<String, Safetensors.Tensor> tensors, String source) {
        requireTraining();
        List<String> problems = new ArrayList<>();
        for (Slot s : slots.values()) {
            if (s.role() != Slot.Role.OPTIMIZER) continue;
            var t = tensors.get(s.name());
            if (t == null) problems.add("it has no tensor `" + s.name() + "`");
            else if (t.data().length != s.per()) problems.add("`" + s.name() + "` has " + t.data().length + " values, not " + s.per());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(source + ": this optimizer state does not fit model " + info().name() + ": " + String.join("; ", problems));
        }
        for (Slot s : slots.values()) {
            if (s.role() == Slot.Role.OPTIMIZER) backend.write(buffers.get(s.name()), tensors.get(s.name()).data());
        }
    }

    /**
     * Writes the optimizer's buffers and the step count (metadata {@code dln.steps}, which Adam's bias
     * correction and dropout's masks depend on), atomically. With {@link #save}'s weights, enough to
     * continue training exactly where it stopped.
     */
    public final void saveState(Path file) throws IOException {
        Safetensors.write(file, optimizerState(), Map.of("dln.model", info().name(), STEPS, Long.toString(step)));
    }

    /** Reads what {@link #saveState} wrote: the optimizer's buffers and the step count. */
    public final void loadState(Path file) throws IOException {
        Map<String, String> metadata = Safetensors.metadata(file);
        long steps;
        try {
            steps = Long.parseLong(metadata.getOrDefault(STEPS, ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": not an optimizer state: its metadata has no step count `" + STEPS + "`");
        }
        setOptimizerState(Safetensors.read(file), file.toString());
        this.step = steps;
    }

    // ---- running

    /** The outputs for {@code n} examples; inputs are row-major, one array per model input (int ids as floats). */
    public final float[][] predict(int n, float[]... inputs) {
        checkInputs(n, inputs);
        return predict(n, (start, m) -> upload(info().inputs(), info().inputShapes(), inputs, start, m));
    }

    /**
     * {@link #predict} for a model of one input given as bytes, each standing for {@code table[b & 0xff]}
     * (an IDX file's pixels and their scale), which the backend converts (OpenCL on the device).
     */
    public final float[][] predict(int n, byte[] input, float[] table) {
        return predict(n, byteUpload(n, input, table));
    }

    /** Writes examples [start, start + m) of the inputs to the input buffers. */
    private interface Upload {
        void examples(int start, int m);
    }

    /** The upload of one input of bytes and their table, checked for {@code n} examples. */
    private Upload byteUpload(int n, byte[] input, float[] table) {
        Info info = info();
        if (info.inputs().size() != 1) throw new IllegalArgumentException("model " + info.name() + " takes " + info.inputs().size() + " inputs, not 1");
        int per = Math.toIntExact(size(info.inputShapes().get(0)));
        if (input.length < (long) n * per) {
            throw new IllegalArgumentException("input " + info.inputs().get(0) + " needs " + (long) n * per + " values for " + n
                    + " examples of shape " + Arrays.toString(info.inputShapes().get(0)) + ", but has " + input.length);
        }
        if (table.length != 256) throw new IllegalArgumentException("a byte table has 256 entries, not " + table.length);
        Buffer buffer = buffer("input:" + info.inputs().get(0));
        return (start, m) -> backend.write(buffer, input, start * per, m * per, table);
    }

    private float[][] predict(int n, Upload upload) {
        Info info = info();
        float[][] out = new float[info.outputs().size()][];
        for (int o = 0; o < out.length; o++) out[o] = new float[Math.toIntExact(n * size(info.outputShapes().get(o)))];
        for (int start = 0; start < n; start += maxBatch) {
            int m = Math.min(maxBatch, n - start);
            upload.examples(start, m);
            forward(m, false, 0);
            for (int o = 0; o < out.length; o++) {
                int per = Math.toIntExact(size(info.outputShapes().get(o)));
                backend.read(buffer(info.outputBuffers().get(o)), out[o], start * per, m * per);
            }
        }
        return out;
    }

    /** One optimizer step on {@code n ≤ maxBatch} examples; the loss and accuracy accumulate on the device. */
    public final void trainStep(int n, float[] targets, float[]... inputs) {
        computeGradients(n, targets, inputs);
        update();
    }

    /**
     * The first half of {@link #trainStep}: counts the step and leaves the gradients of the mean
     * loss over the {@code n} examples in the gradient buffers, without updating anything ({@code n}
     * may be 0: the step counts and nothing is computed). Data
     * parallel training (dln.spark) reads them with {@link #gradients}, sums them over the workers
     * and finishes the step with {@link #applyGradients}.
     */
    public final void computeGradients(int n, float[] targets, float[]... inputs) {
        requireTrainable();
        if (n > maxBatch) throw new IllegalArgumentException("a training batch holds at most " + maxBatch + " examples, not " + n);
        checkInputs(n, inputs);
        gradients(n, targets, () -> upload(info().inputs(), info().inputShapes(), inputs, 0, n));
    }

    /**
     * {@link #trainStep} for a model of one input given as bytes, each standing for {@code table[b & 0xff]}
     * (an IDX file's pixels and their scale): the backend moves the bytes and converts them on the
     * device where it can (OpenCL), so the step gets the very floats that converting on the host gives.
     */
    public final void trainStep(int n, float[] targets, byte[] input, float[] table) {
        requireTrainable();
        if (n > maxBatch) throw new IllegalArgumentException("a training batch holds at most " + maxBatch + " examples, not " + n);
        Upload upload = byteUpload(n, input, table);
        gradients(n, targets, () -> upload.examples(0, n));
        update();
    }

    /** The rest of {@link #computeGradients} once the inputs are checked: {@code upload} writes them. */
    private void gradients(int n, float[] targets, Runnable upload) {
        checkTargets(n, targets);
        step++;
        if (optimizer != null) backend.write(buffer(":hyper"), optimizer.hyper(learningRate, step));   // else no kernel reads it
        if (n == 0) return;   // a worker with no share of a small last batch: the step counts, its gradients are left as they were
        upload.run();
        uploadTargets(targets, 0, n);
        int counter = (int) step;
        forward(n, true, counter);
        loss(n);
        examples += n;
        backward(n, counter);
    }

    /** The trained parameters (those the optimizer updates), in layer order: the layout of {@link #gradients}. */
    public final List<String> trainedParameters() {
        List<String> out = new ArrayList<>();
        for (Slot s : slots.values()) if (s.role() == Slot.Role.PARAM && slots.containsKey("grad." + s.name())) out.add(s.name());
        return out;
    }

    /** The gradients {@link #computeGradients} left, one trained parameter after another ({@link #trainedParameters}). */
    public final float[] gradients() {
        requireTrainable();
        List<String> trained = trainedParameters();
        float[] out = new float[Math.toIntExact(gradientCount(trained))];
        int at = 0;
        for (String p : trained) {
            int per = Math.toIntExact(slots.get(p).per());
            backend.read(buffer("grad." + p), out, at, per);
            at += per;
        }
        return out;
    }

    private long gradientCount(List<String> trained) {
        return trained.stream().mapToLong(p -> slots.get(p).per()).sum();
    }

    /** Finishes the step {@link #computeGradients} began with these gradients in place of its own (laid out as {@link #gradients}). */
    public final void applyGradients(float[] gradients) {
        requireTrainable();
        List<String> trained = trainedParameters();
        long total = gradientCount(trained);
        if (total != gradients.length) {
            throw new IllegalArgumentException("model " + info().name() + " has " + total + " gradient values, not " + gradients.length);
        }
        int at = 0;
        for (String p : trained) {
            int per = Math.toIntExact(slots.get(p).per());
            backend.write(buffer("grad." + p), gradients, at, per);
            at += per;
        }
        update();
    }

    /** Runs the model in inference mode on {@code n} labelled examples and adds their loss and accuracy to the metrics. */
    public final void evaluate(int n, float[] targets, float[]... inputs) {
        requireTrainable();
        checkInputs(n, inputs);
        evaluate(n, targets, (start, m) -> upload(info().inputs(), info().inputShapes(), inputs, start, m));
    }

    /** {@link #evaluate} for a model of one input given as bytes and their table, as {@link #predict(int, byte[], float[])} takes them. */
    public final void evaluate(int n, float[] targets, byte[] input, float[] table) {
        requireTrainable();
        evaluate(n, targets, byteUpload(n, input, table));
    }

    private void evaluate(int n, float[] targets, Upload upload) {
        checkTargets(n, targets);
        for (int start = 0; start < n; start += maxBatch) {
            int m = Math.min(maxBatch, n - start);
            upload.examples(start, m);
            uploadTargets(targets, start, m);
            forward(m, false, 0);
            loss(m);
            examples += m;
        }
    }

    /**
     * Reads and resets the loss and accuracy accumulated since the last call. With several outputs
     * the loss is the weighted sum of theirs (each loss kernel applies its weight), the finite
     * batches the fewest of any output's, and the accuracy the first output's.
     */
    public final Metrics takeMetrics() {
        requireTraining();
        float[] correct = new float[1];
        float sum = 0;
        long finite = Long.MAX_VALUE;
        for (String suffix : suffixes()) {
            float[] loss = new float[2];
            backend.read(buffer(":loss" + suffix), loss);
            backend.write(buffer(":loss" + suffix), new float[2]);
            sum += loss[0];
            finite = Math.min(finite, (long) loss[1]);
        }
        backend.read(buffer(":correct"), correct);
        for (String suffix : suffixes()) backend.write(buffer(":correct" + suffix), new float[1]);
        long count = examples;
        examples = 0;
        return new Metrics(count == 0 ? Double.NaN : sum / count, count == 0 ? Double.NaN : correct[0] / count, count, finite);
    }

    /** The suffix of each output's training buffers, in output order: "" for the first, ".z" for output z. */
    private List<String> suffixes() {
        List<String> outputs = info().outputs();
        List<String> out = new ArrayList<>(List.of(""));
        for (String o : outputs.subList(1, outputs.size())) out.add("." + o);
        return out;
    }

    /**
     * Examples {@code start} to {@code start + m} of {@code targets} into the target buffers. A row
     * holds each output's target one after another; with one output it is copied as it is.
     */
    private void uploadTargets(float[] targets, int start, int m) {
        List<Long> widths = targetWidths();
        long per = targetWidth();
        if (widths.size() == 1) {
            backend.write(buffer(":targets"), targets, Math.toIntExact(start * per), Math.toIntExact(m * per));
            return;
        }
        int at = 0;
        List<String> suffixes = suffixes();
        for (int o = 0; o < widths.size(); o++) {
            int w = Math.toIntExact(widths.get(o));
            float[] part = new float[m * w];
            for (int r = 0; r < m; r++) System.arraycopy(targets, Math.toIntExact((start + r) * per + at), part, r * w, w);
            backend.write(buffer(":targets" + suffixes.get(o)), part, 0, m * w);
            at += w;
        }
    }

    public final double learningRate() { return learningRate; }

    public final void setLearningRate(double lr) { this.learningRate = lr; }

    /** Optimizer steps taken since {@link #initialize}. */
    public final long steps() { return step; }

    /** Sets the step count, as when continuing a run that took that many steps. */
    public final void setSteps(long steps) { this.step = steps; }

    /** Floats per example in the targets: for each output 1 for class labels, else the output's size. */
    public final long targetWidth() {
        return targetWidths().stream().mapToLong(Long::longValue).sum();
    }

    /** Floats per example of each output's targets, in output order (a row of targets holds them one after another). */
    public final List<Long> targetWidths() {
        Info info = info();
        if (info.outputs().size() == 1) return List.of(info.labels() ? 1 : size(info.outputShapes().get(0)));
        List<Long> out = new ArrayList<>();
        for (String suffix : suffixes()) {
            Slot s = slots.get(":targets" + suffix);
            if (s == null) throw new IllegalStateException("model " + info.name() + " has no train block, so it takes no targets");
            out.add(s.per());
        }
        return out;
    }

    /** Whether this model was made only to predict (see the constructor). */
    public final boolean predictionOnly() { return predictionOnly; }

    private void requireTraining() {
        if (predictionOnly) {
            throw new IllegalStateException("this " + info().name() + " was made only to predict (no gradients, optimizer state or metrics); "
                    + "make it with predictionOnly false to train or evaluate it");
        }
    }

    private void requireTrainable() {
        requireTraining();
        if (!info().trainable()) throw new IllegalStateException("model " + info().name() + " has no train block, so it cannot train");
    }

    private void checkTargets(int n, float[] targets) {
        long want = n * targetWidth();
        if (targets.length < want) {
            throw new IllegalArgumentException("the targets of " + n + " examples need " + want + " values, but there are " + targets.length);
        }
    }

    private void checkInputs(int n, float[][] inputs) {
        Info info = info();
        if (inputs.length != info.inputs().size()) {
            throw new IllegalArgumentException("model " + info.name() + " takes " + info.inputs().size() + " inputs, not " + inputs.length);
        }
        for (int i = 0; i < inputs.length; i++) {
            long want = n * size(info.inputShapes().get(i));
            if (inputs[i].length < want) {
                throw new IllegalArgumentException("input " + info.inputs().get(i) + " needs " + want + " values for " + n
                        + " examples of shape " + Arrays.toString(info.inputShapes().get(i)) + ", but has " + inputs[i].length);
            }
        }
    }

    private void upload(List<String> names, List<long[]> shapes, float[][] inputs, int start, int m) {
        for (int i = 0; i < names.size(); i++) {
            int per = Math.toIntExact(size(shapes.get(i)));
            backend.write(buffer("input:" + names.get(i)), inputs[i], start * per, m * per);
        }
    }

    static long size(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    @Override public void close() { backend.finish(); }
}
