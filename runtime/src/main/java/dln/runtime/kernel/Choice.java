package dln.runtime.kernel;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Block sizes of a {@link Tunable} kernel: each parameter's value. The emitted source holds the
 * defaults as {@code #ifndef PARAM_kernel / #define PARAM_kernel value / #endif}, so that a build
 * option {@code -D PARAM_kernel=value} picks another choice from the same text.
 */
public record Choice(SortedMap<String, Integer> values) {

    public Choice {
        values = Collections.unmodifiableSortedMap(new TreeMap<>(values));
        for (Map.Entry<String, Integer> e : values.entrySet()) {
            if (!e.getKey().matches("[A-Z][A-Z0-9_]*")) throw new IllegalArgumentException("not a parameter name: " + e.getKey());
            if (e.getValue() < 1) throw new IllegalArgumentException(e.getKey() + " must be at least 1, not " + e.getValue());
        }
    }

    /** A choice from names and values in turn: {@code Choice.of("GEMM_ROWS", 12)}. */
    public static Choice of(Object... nameThenValue) {
        SortedMap<String, Integer> values = new TreeMap<>();
        for (int i = 0; i < nameThenValue.length; i += 2) values.put((String) nameThenValue[i], (Integer) nameThenValue[i + 1]);
        return new Choice(values);
    }

    public int get(String param) {
        Integer v = values.get(param);
        if (v == null) throw new IllegalArgumentException("no parameter " + param + " in " + this);
        return v;
    }

    /** The C macro that carries a parameter in kernel {@code kernel}'s source. */
    public static String macro(String param, String kernel) { return param + "_" + kernel; }

    /** The build options that select this choice for kernel {@code kernel}: `-D GEMM_ROWS_dense_1_fwd=8`. */
    public String options(String kernel) {
        return values.entrySet().stream().map(e -> "-D " + macro(e.getKey(), kernel) + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    /** Emits the defaults, each overridable by a build option. */
    public void declare(C out, String kernel) {
        for (Map.Entry<String, Integer> e : values.entrySet()) {
            String macro = macro(e.getKey(), kernel);
            out.line("#ifndef " + macro);
            out.line("#define %s %d", macro, e.getValue());
            out.line("#endif");
        }
    }

    /** `GEMM_COLS=4 GEMM_ROWS=6`. */
    @Override public String toString() {
        return values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }
}
