package dln.runtime.data;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Numbers in comma-separated text, one example per line: some columns are the targets (one column
 * of class labels, or several of float targets), all the others are the inputs, in file order.
 * Cells may be quoted ({@code "1.5"}, with {@code ""} for a quote inside); blank lines are skipped; a
 * gzipped file is read as it is, recognised by gzip's magic bytes. Every cell must hold a decimal
 * number ({@code 3}, {@code -0.5}, {@code 1e-3}): an empty cell or {@code NaN} is an error, not a
 * missing value, and so is a number beyond float32's range ({@code 1e39}), which would become infinite
 * ({@link Finite}). Errors read {@code FILE:LINE: column N: ...}, lines numbered as an editor numbers
 * them (the header is line 1) and columns from 1, left to right.
 */
public final class Csv {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    /** Every whole number below this in magnitude is exactly a float32. */
    private static final double EXACT = 1 << 24;
    private static final int SHOWN_NAMES = 12;
    private static final int SHOWN_CELL = 40;

    private Csv() {}

    /**
     * Which columns hold the targets, each a column index counting from 0 (any whole {@link Number})
     * or a header name (a {@link String}). {@code labels}: one column of class indices
     * ({@code label_column}); otherwise float targets ({@code target_columns}). Labels with no column
     * given are in the last column.
     */
    public record Targets(List<Object> columns, boolean labels) {
        public Targets {
            columns = List.copyOf(columns);
            if (labels && columns.size() > 1) throw new IllegalArgumentException("one label column, not " + columns.size());
        }

        /** {@code label_column: column}; null for the last column. */
        public static Targets label(Object column) {
            return new Targets(column == null ? List.of() : List.of(column), true);
        }

        /** No targets: every column is an input (`dlnc predict` on a CSV file). */
        public static final Targets NONE = new Targets(List.of(), false);

        /** {@code target_columns: [a, b, ...]}. */
        public static Targets columns(List<?> columns) {
            return new Targets(new ArrayList<>(columns), false);
        }

        String setting() { return labels ? "label_column" : "target_columns"; }
    }

    /** Class labels in column {@code labelColumn} (from 0; null for the last column), inputs in the others. */
    public static Dataset read(Path file, boolean header, Integer labelColumn, long[] inputShape) {
        return read(file, header, Targets.label(labelColumn), 1, inputShape);
    }

    /** Class labels in the column that the header names {@code labelColumn}, inputs in the others. */
    public static Dataset read(Path file, boolean header, String labelColumn, long[] inputShape) {
        return read(file, header, Targets.label(labelColumn), 1, inputShape);
    }

    /** Float targets in {@code targetColumns} (from 0, in the order given), inputs in the others. */
    public static Dataset read(Path file, boolean header, int[] targetColumns, long[] inputShape) {
        return read(file, header, Targets.columns(Arrays.stream(targetColumns).boxed().toList()), 1, inputShape);
    }

    /**
     * Reads the file. Inputs are multiplied by {@code scale}, targets are not. Each example takes
     * {@code inputShape}, which must have as many values as there are input columns; null gives
     * {@code [input columns]}.
     */
    public static Dataset read(Path file, boolean header, Targets targets, double scale, long[] inputShape) {
        DataFiles.Opened opened = DataFiles.open(file);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(opened.in(), UTF_8))) {
            return new Reader(file, targets, scale, opened).read(lines, header, inputShape);
        } catch (IOException e) {
            throw DataFiles.unreadable(file, e);
        }
    }

    /** The state of one read: the columns' roles once known, and the values so far. */
    private static final class Reader {
        final Path file;
        final Targets targets;
        final double scale;
        final DataFiles.Opened opened;
        long line;
        String[] names;
        /** The line that fixed the number of columns: the header, or else the first row. */
        long widthLine;
        int width = -1;
        /** Per column: -1 for an input, else the index of the target it holds. */
        int[] role;
        int[] targetColumns;
        final Floats inputs = new Floats(), values = new Floats();
        int[] lines = new int[1024];
        int count;

        Reader(Path file, Targets targets, double scale, DataFiles.Opened opened) {
            this.file = file;
            this.targets = targets;
            this.scale = scale;
            this.opened = opened;
        }

        Dataset read(BufferedReader in, boolean header, long[] inputShape) throws IOException {
            long[] shape = null;
            // Each line is used once the next is read: a gzip stream that goes bad ends inside a line.
            for (String text = in.readLine(), next; text != null; text = next) {
                next = in.readLine();
                line++;
                if (next == null && opened.damage() != null) throw brokenOff(line);
                if (line == 1 && text.startsWith("\uFEFF")) text = text.substring(1);
                if (text.isBlank()) continue;
                List<String> cells = cells(text);
                if (width < 0) {
                    width = cells.size();
                    widthLine = line;
                    if (header) {
                        names = cells.toArray(String[]::new);
                        continue;
                    }
                }
                if (shape == null) shape = layout(inputShape);
                row(cells);
            }
            if (opened.damage() != null) throw brokenOff(line + 1);
            if (count == 0) throw new DataError(file + ": the file holds no rows of data" + (names != null ? " after its header" : ""));
            int[] at = Arrays.copyOf(lines, count);
            String label = targets.labels ? ": " + column(targetColumns[0]) : "";
            return new Dataset(shape, inputs.toArray(), count, targetColumns.length, values.toArray(), targets.labels,
                    i -> file + ":" + at[i] + label);
        }

        DataError brokenOff(long at) {
            return DataError.at(file, at, "the data breaks off at this line: the gzip data is " + opened.gunzip().problem()
                    + (opened.damage() instanceof EOFException ? "; is the file truncated?" : ""));
        }

        /** Fixes each column's role once the number of columns is known; returns the input shape. */
        long[] layout(long[] inputShape) {
            targetColumns = resolve();
            role = new int[width];
            Arrays.fill(role, -1);
            for (int k = 0; k < targetColumns.length; k++) role[targetColumns[k]] = k;
            int inputColumns = width - targetColumns.length;
            if (inputColumns == 0) throw DataError.at(file, widthLine, "every column is a target; no column is left for the inputs");
            if (inputShape == null) return new long[] {inputColumns};
            if (Dataset.size(inputShape) != inputColumns) {
                throw DataError.at(file, widthLine, "the rows have " + inputColumns + " input " + columns(inputColumns) + " (" + width + " less "
                        + (targets.labels ? "the label column" : targetColumns.length + " target " + columns(targetColumns.length))
                        + "), which do not fit the model's input shape "
                        + Dataset.show(inputShape));
            }
            return inputShape.clone();
        }

        int[] resolve() {
            if (targets == Targets.NONE) return new int[0];
            if (targets.columns.isEmpty()) {
                if (targets.labels) return new int[] {width - 1};
                throw DataError.at(file, widthLine, "target_columns is empty; list the columns that hold the targets");
            }
            int[] at = new int[targets.columns.size()];
            for (int k = 0; k < at.length; k++) {
                at[k] = index(targets.columns.get(k));
                for (int j = 0; j < k; j++) {
                    if (at[j] == at[k]) throw DataError.at(file, widthLine, "target_columns lists " + column(at[k]) + " twice");
                }
            }
            return at;
        }

        /** A column index counting from 0, or a header name, as a column index. */
        int index(Object column) {
            String setting = targets.setting();
            if (column instanceof Number n) {
                double d = n.doubleValue();
                if (d != Math.rint(d) || d < 0 || d >= width) {
                    throw DataError.at(file, widthLine, setting + " " + n + " is not a column: the rows have " + width
                            + " " + columns(width) + ", which " + setting + " numbers 0 to " + (width - 1));
                }
                return (int) d;
            }
            if (!(column instanceof String name)) {
                throw DataError.at(file, widthLine, setting + " must name columns by index (from 0) or by header name, not " + column);
            }
            if (names == null) {
                throw DataError.at(file, widthLine, setting + " \"" + name + "\" is a column name, but the file has no header"
                        + " (header: false); give the column's index, counting from 0");
            }
            int i = Arrays.asList(names).indexOf(name);
            if (i < 0) throw DataError.at(file, widthLine, setting + " \"" + name + "\" is not in the header, which names " + shownNames());
            return i;
        }

        String shownNames() {
            String shown = Arrays.stream(names).limit(SHOWN_NAMES).map(n -> "\"" + n + "\"").collect(Collectors.joining(", "));
            return shown + (names.length > SHOWN_NAMES ? " and " + (names.length - SHOWN_NAMES) + " more" : "");
        }

        void row(List<String> cells) {
            if (cells.size() != width) {
                throw DataError.at(file, line, "this row has " + cells.size() + " " + columns(cells.size()) + ", but "
                        + (names != null ? "the header" : "the first row") + " (line " + widthLine + ") has " + width);
            }
            float[] y = new float[targetColumns.length];
            for (int c = 0; c < width; c++) {
                boolean input = role[c] < 0;
                float v = (float) (input ? number(cells.get(c), c) * scale : number(cells.get(c), c));
                if (!Float.isFinite(v)) throw beyondFloat32(cells.get(c), c, input);
                if (input) inputs.add(v);
                else y[role[c]] = v;
            }
            if (targets.labels && (y[0] != Math.rint(y[0]) || Math.abs(y[0]) >= EXACT)) {
                throw DataError.at(file, line, column(targetColumns[0]) + ": label " + cells.get(targetColumns[0])
                        + " is not a class index; label_column holds whole numbers 0, 1, 2, ...");
            }
            for (float t : y) values.add(t);
            if (count == lines.length) lines = Arrays.copyOf(lines, 2 * count);
            lines[count++] = (int) Math.min(line, Integer.MAX_VALUE);
        }

        double number(String cell, int c) {
            if (cell.isEmpty()) throw DataError.at(file, line, column(c) + ": the cell is empty; every cell must hold a number");
            if (!NUMBER.matcher(cell).matches()) {
                String shown = cell.length() > SHOWN_CELL ? cell.substring(0, SHOWN_CELL) + "..." : cell;
                throw DataError.at(file, line, column(c) + ": \"" + shown + "\" is not a number");
            }
            return Double.parseDouble(cell);
        }

        /** A number that float32 cannot hold (the pattern admits no NaN or Infinity, so it is out of range). */
        DataError beyondFloat32(String cell, int c, boolean input) {
            String value = input && scale != 1 ? cell + " times the scale " + scale : cell;
            return DataError.at(file, line, column(c) + ": " + value + " is beyond " + Finite.RANGE + "; the data must be finite float32 numbers");
        }

        static String columns(int n) { return n == 1 ? "column" : "columns"; }

        /** {@code column 3}, counting from 1, with its name from the header if there is one. */
        String column(int c) {
            return "column " + (c + 1) + (names != null ? " (\"" + names[c] + "\")" : "");
        }

        /** Splits a line at its commas; quoted cells may hold commas and {@code ""} for a quote. */
        List<String> cells(String text) {
            List<String> cells = new ArrayList<>();
            int i = 0, n = text.length();
            while (true) {
                while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) i++;
                if (i < n && text.charAt(i) == '"') {
                    i = quoted(text, i, cells);
                } else {
                    int end = text.indexOf(',', i);
                    if (end < 0) end = n;
                    cells.add(text.substring(i, end).strip());
                    i = end;
                }
                if (i >= n) return cells;
                i++; // the comma
            }
        }

        /** Adds the quoted cell that starts at {@code open}; returns the index of the comma after it, or the line's end. */
        int quoted(String text, int open, List<String> cells) {
            StringBuilder cell = new StringBuilder();
            int i = open + 1, n = text.length();
            String where = "column " + (cells.size() + 1);
            while (true) {
                if (i >= n) throw DataError.at(file, line, where + ": the quote opened at character " + (open + 1) + " is not closed on this line");
                char c = text.charAt(i++);
                if (c != '"') cell.append(c);
                else if (i < n && text.charAt(i) == '"') cell.append(text.charAt(i++));
                else break;
            }
            while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) i++;
            if (i < n && text.charAt(i) != ',') {
                throw DataError.at(file, line, where + ": text after the closing quote at character " + i + "; expected a comma");
            }
            cells.add(cell.toString().strip());
            return i;
        }
    }

    /** A growing array of floats. */
    private static final class Floats {
        float[] data = new float[1024];
        int size;

        void add(float v) {
            if (size == data.length) data = Arrays.copyOf(data, 2 * size);
            data[size++] = v;
        }

        float[] toArray() { return Arrays.copyOf(data, size); }
    }
}
