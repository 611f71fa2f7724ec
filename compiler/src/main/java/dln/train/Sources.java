package dln.train;

import dln.net.Training;
import dln.runtime.data.Csv;
import dln.runtime.data.Dataset;
import dln.runtime.data.Idx;
import dln.runtime.data.Inline;
import dln.runtime.data.NpySource;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads the examples a train block's `data` or `test` setting names. Paths are relative to the
 * .dln file's folder. Bad data throws the loaders' exceptions, whose messages name the file and
 * the line or byte offset.
 */
public final class Sources {
    private Sources() {}

    public static Dataset load(Training.Source source, Path dlnFolder, long[] inputShape) {
        var a = source.args();
        return switch (source.kind()) {
            case "idx" -> Idx.read(path(dlnFolder, a.get("images")), path(dlnFolder, a.get("labels")), number(a.get("scale"), 1), inputShape);
            case "csv" -> Csv.read(path(dlnFolder, a.get("path")), !Boolean.FALSE.equals(a.get("header")),
                    a.get("target_columns") != null ? Csv.Targets.columns((List<?>) a.get("target_columns"))
                            : Csv.Targets.label(column(a.get("label_column"))),
                    number(a.get("scale"), 1), inputShape);
            case "npy" -> NpySource.read(path(dlnFolder, a.get("inputs")), path(dlnFolder, a.get("targets")), inputShape);
            case "inline" -> Inline.of((List<?>) a.get("inputs"), (List<?>) a.get("targets"), inputShape);
            default -> throw new IllegalArgumentException("unknown data source " + source.kind());
        };
    }

    private static Path path(Path folder, Object value) {
        Path p = Path.of((String) value);
        return p.isAbsolute() || folder == null ? p : folder.resolve(p);
    }

    private static double number(Object value, double otherwise) {
        return value instanceof Number n ? n.doubleValue() : otherwise;
    }

    /** A whole-number column stays a number; a name stays a name. */
    private static Object column(Object value) {
        return value instanceof Double d && d == Math.rint(d) ? Integer.valueOf(d.intValue()) : value;
    }
}
