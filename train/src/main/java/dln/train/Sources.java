package dln.train;

import dln.net.Training;
import dln.runtime.Model;
import dln.runtime.data.Csv;
import dln.runtime.data.DataError;
import dln.runtime.data.Dataset;
import dln.runtime.data.Idx;
import dln.runtime.data.Inline;
import dln.runtime.data.NpySource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the examples a train block's `data` or `test` setting names. Paths are relative to the
 * .dln file's folder. Bad data throws the loaders' exceptions, whose messages name the file and
 * the line or byte offset.
 */
public final class Sources {
    private Sources() {}

    /**
     * The examples, each shaped as the model's input; for a model with several inputs
     * ({@code inputShapes} has more than one), each row packs the example's inputs one after another
     * (see {@link Inputs}): npy reads them from one file per input, csv from consecutive columns.
     */
    public static Dataset load(Training.Source source, Path dlnFolder, List<long[]> inputShapes) {
        var a = source.args();
        long[] inputShape = Inputs.packedShape(inputShapes);
        return switch (source.kind()) {
            case "idx" -> Idx.read(path(dlnFolder, a.get("images")), a.get("labels") == null ? null : path(dlnFolder, a.get("labels")),
                    number(a.get("scale"), 1), inputShape);
            case "csv" -> Csv.read(path(dlnFolder, a.get("path")), !Boolean.FALSE.equals(a.get("header")),
                    a.get("target_columns") != null ? Csv.Targets.columns((List<?>) a.get("target_columns"))
                            : Csv.Targets.label(column(a.get("label_column"))),
                    number(a.get("scale"), 1), inputShape);
            case "npy" -> NpySource.read(paths(dlnFolder, a.get("inputs")), paths(dlnFolder, a.get("targets")).get(0), inputShapes);
            case "inline" -> Inline.of((List<?>) a.get("inputs"), (List<?>) a.get("targets"), inputShape);
            default -> throw new IllegalArgumentException("unknown data source " + source.kind());
        };
    }

    /**
     * The examples of {@code source} with their targets fitted to the model ({@link #fit}). For a
     * model with several outputs (npy data with one targets file per output, in output order: the
     * checker allows no other source) each row of targets holds each output's target one after
     * another, as {@link Model#trainStep} takes them.
     */
    public static Dataset read(Training.Source source, Path dlnFolder, Training t, Model.Info info) {
        if (info.outputs().size() == 1) return fit(load(source, dlnFolder, info.inputShapes()), info);
        var a = source.args();
        List<Dataset> parts = NpySource.read(paths(dlnFolder, a.get("inputs")), paths(dlnFolder, a.get("targets")), info.inputShapes());
        List<float[]> targets = new ArrayList<>();
        List<Long> widths = new ArrayList<>();
        for (int o = 0; o < parts.size(); o++) {
            Dataset d = fit(parts.get(o), t.losses().get(o).labels(), info.outputs().get(o), info.outputShapes().get(o));
            targets.add(d.targets());
            widths.add(d.targetWidth());
        }
        Dataset first = parts.get(0);
        long width = widths.stream().mapToLong(Long::longValue).sum();
        float[] packed = new float[Math.toIntExact(first.count() * width)];
        int at = 0;
        for (int o = 0; o < parts.size(); o++) {
            int w = Math.toIntExact(widths.get(o));
            for (int i = 0; i < first.count(); i++) System.arraycopy(targets.get(o), i * w, packed, Math.toIntExact(i * width) + at, w);
            at += w;
        }
        return new Dataset(first.inputShape(), first.values(), first.count(), width, packed, false, first.origin());
    }

    /** One input: the model's shape. */
    public static Dataset load(Training.Source source, Path dlnFolder, long[] inputShape) {
        return load(source, dlnFolder, List.of(inputShape));
    }

    /**
     * The source read from {@code place} instead (a command line's {@code --data}): the file itself
     * for csv; for idx and npy, which read two files, the folder that holds files of the names the
     * train block gives.
     */
    public static Training.Source relocate(Training.Source source, Path place) {
        Map<String, Object> args = new LinkedHashMap<>(source.args());
        Path at = place.toAbsolutePath().normalize();
        switch (source.kind()) {
            case "csv" -> args.put("path", at.toString());
            case "idx", "npy" -> {
                List<String> keys = source.kind().equals("idx") ? List.of("images", "labels") : List.of("inputs", "targets");
                if (!Files.isDirectory(at)) {
                    throw new DataError(place + ": " + source.kind() + " data is " + (args.get(keys.get(1)) == null ? "the file "
                            + name(args.get(keys.get(0))) : "two files, " + name(args.get(keys.get(0))) + " and " + name(args.get(keys.get(1))))
                            + ": give the folder that holds " + (args.get(keys.get(1)) == null ? "it" : "them"));
                }
                for (String key : keys) {
                    Object value = args.get(key);
                    if (value == null) continue;
                    args.put(key, value instanceof List<?> list ? list.stream().map(v -> at.resolve(name(v)).toString()).toList()
                            : at.resolve(name(value)).toString());
                }
            }
            default -> throw new DataError(place + ": " + source.kind() + " data is written in the .dln file and cannot be read from elsewhere");
        }
        return new Training.Source(source.kind(), args);
    }

    /**
     * The examples with their targets as {@code info}'s model takes them. With cross-entropy the
     * model takes class indices: one-hot rows become their index (argmax), one number per example is
     * taken as a label, and every label must be a class of the output. Other losses take rows of
     * the output's size: labels become one-hot rows, or stay numbers for a one-unit output.
     */
    public static Dataset fit(Dataset d, Model.Info info) {
        return fit(d, info.labels(), info.outputs().get(0), info.outputShapes().get(0));
    }

    /** {@link #fit(Dataset, Model.Info)} for output {@code output} of shape {@code shape}, which takes class indices when {@code labels}. */
    static Dataset fit(Dataset d, boolean labels, String output, long[] shape) {
        long outputs = size(shape);
        int classes = (int) shape[shape.length - 1];
        if (labels) {
            if (d.labels()) return d.checkLabels(classes);
            if (d.targetWidth() == 1) return relabel(d, d.targets(), true).checkLabels(classes);
            d.checkLabels(classes);
            return relabel(d, argmax(d.targets(), d.count(), classes), true);
        }
        if (d.labels()) {
            if (outputs == 1) return relabel(d, d.targets(), false);
            d.checkLabels((int) outputs);
            return new Dataset(d.inputShape(), d.values(), d.count(), outputs, oneHot(d, (int) outputs), false, d.origin());
        }
        if (d.targetWidth() != outputs && d.count() > 0) {
            throw new DataError(d.origin().apply(0) + ": the targets have " + d.targetWidth() + " values per example, but output `"
                    + output + "` has shape " + Arrays.toString(shape) + " (" + outputs + " values)");
        }
        return d;
    }

    /**
     * The examples with their inputs as their targets (a train block's `targets inputs`), in place of
     * any the source has: the inputs as floats, a new array for bytes (an IDX file's images, converted
     * once: copying the conversion as well had held Fashion-MNIST's 188 MB of floats twice), a copy of
     * float inputs, which the dataset keeps sharing.
     */
    public static Dataset inputsAsTargets(Dataset d) {
        float[] targets = d.values() instanceof dln.runtime.data.Values.Floats ? d.inputs().clone() : d.inputs();
        return new Dataset(d.inputShape(), d.values(), d.count(), d.inputSize(), targets, false, d.origin());
    }

    private static Dataset relabel(Dataset d, float[] targets, boolean labels) {
        return new Dataset(d.inputShape(), d.values(), d.count(), 1, targets, labels, d.origin());
    }

    private static float[] argmax(float[] rows, int n, int width) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int k = 1; k < width; k++) if (rows[i * width + k] > rows[i * width + best]) best = k;
            out[i] = best;
        }
        return out;
    }

    private static float[] oneHot(Dataset d, int width) {
        float[] out = new float[d.count() * width];
        for (int i = 0; i < d.count(); i++) out[i * width + d.label(i)] = 1;
        return out;
    }

    private static String name(Object path) {
        if (path instanceof List<?> list) return String.join(", ", list.stream().map(Sources::name).toList());
        return Path.of((String) path).getFileName().toString();
    }

    private static Path path(Path folder, Object value) {
        Path p = Path.of((String) value);
        return p.isAbsolute() || folder == null ? p : folder.resolve(p);
    }

    /** A string is one path, a list one path per input. */
    private static List<Path> paths(Path folder, Object value) {
        if (value instanceof List<?> list) return list.stream().map(v -> path(folder, v)).toList();
        return List.of(path(folder, value));
    }

    private static double number(Object value, double otherwise) {
        return value instanceof Number n ? n.doubleValue() : otherwise;
    }

    /** A whole-number column stays a number; a name stays a name. */
    private static Object column(Object value) {
        return value instanceof Double d && d == Math.rint(d) ? Integer.valueOf(d.intValue()) : value;
    }

    static long size(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }
}
