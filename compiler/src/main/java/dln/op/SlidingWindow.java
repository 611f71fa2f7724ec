package dln.op;

import static java.lang.Math.addExact;
import static java.lang.Math.multiplyExact;

import dln.diag.Diag;
import dln.kernel.ConvGeom;
import dln.net.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sliding-window rule shared by convolution and pooling, per spatial dimension:
 * out = floor((W - F_eff + 2P) / S) + 1 with F_eff = D(F - 1) + 1 ({@link ConvGeom#outSize}, the
 * one place the formula is written: the kernels check their geometry with it too). Errors and
 * warnings print the formula with the numbers filled in; so does the transposed convolution's rule
 * ({@link #transposedOutputSizes}).
 */
final class SlidingWindow {
    private SlidingWindow() {}

    private static final String[][] AXES = {
        {"position", "positions", "length"},
        {"row", "rows", "height"},
        {"column", "columns", "width"},
        {"plane", "planes", "depth"},
    };

    static boolean checkRank(String kind, Shape x, int dims, Problems p) {
        if (x.rank() == dims + 1) return true;
        String layout = switch (dims) {
            case 1 -> "a 2-D [channels, length]";
            case 2 -> "a 3-D [channels, height, width]";
            default -> "a 4-D [channels, depth, height, width]";
        };
        var report = p.report(Diag.WrongInputRank, kind, layout, x);
        if (x.rank() == dims) report.help("add a channel axis to the input: [1, " + x.toString().substring(1));
        return false;
    }

    /** Output sizes of the spatial axes (axes 1.. of {@code x}), or null after reporting an empty output. */
    static long[] outputSizes(String kind, Shape x, long[] f, long[] s, long[] pad, long[] d, Problems p) {
        int n = f.length;
        long[] out = new long[n];
        Map<String, List<String>> empty = new LinkedHashMap<>();
        Map<String, List<String>> ignored = new LinkedHashMap<>();
        long fitsWith = 0;
        for (int i = 0; i < n; i++) {
            long w = x.dim(i + 1);
            long fEff = addExact(multiplyExact(d[i], f[i] - 1), 1);
            out[i] = ConvGeom.outSize(w, f[i], s[i], pad[i], d[i]);
            String formula = formula(w, f[i], fEff, d[i], pad[i], s[i], out[i]);
            String axis = axisName(n, i)[2];
            if (out[i] < 1) {
                empty.computeIfAbsent(formula, k -> new ArrayList<>()).add(axis);
                fitsWith = Math.max(fitsWith, (fEff - w + 1) / 2);
                continue;
            }
            long lastCovered = (out[i] - 1) * s[i] + fEff - 1;
            long lastReal = pad[i] + w - 1;
            long missed = Math.min(w, lastReal - lastCovered);
            if (missed > 0 && fEff >= s[i]) {
                String[] words = axisName(n, i);
                ignored.computeIfAbsent(formula, k -> new ArrayList<>()).add(missed + " " + (missed == 1 ? words[0] : words[1]));
            }
        }
        if (!empty.isEmpty()) {
            p.report(Diag.EmptyOutput, kind, describe(empty))
             .help("the window is larger than the padded input; use a smaller "
                     + (kind.startsWith("conv") ? "kernel" : "window") + " or padding: " + Math.max(1, fitsWith)
                     + " (the input here is " + x + ")");
            return null;
        }
        if (!ignored.isEmpty()) {
            List<String> parts = new ArrayList<>();
            ignored.forEach((formula, what) -> parts.add(String.join(" and ", what)));
            p.report(Diag.IgnoredInputEdge, kind, String.join(" and ", parts), x, String.join("; ", ignored.keySet()))
             .help("pad the input or choose a window and stride that cover it exactly");
        }
        return out;
    }

    /**
     * Output sizes of a transposed convolution's spatial axes, (W - 1)·S - 2P + D·(F - 1) + output_padding + 1
     * ({@link ConvGeom#transposedOutSize}), or null after reporting an empty output with the numbers filled in.
     */
    static long[] transposedOutputSizes(String kind, Shape x, long[] f, long[] s, long[] pad, long[] outPad, long[] d, Problems p) {
        int n = f.length;
        long[] out = new long[n];
        Map<String, List<String>> empty = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            long w = x.dim(i + 1);
            out[i] = ConvGeom.transposedOutSize(w, f[i], s[i], pad[i], outPad[i], d[i]);
            if (out[i] < 1) {
                String formula = "(W - 1)·S - 2P + D·(F - 1) + output_padding + 1 = (" + w + " - 1)·" + s[i] + " - " + 2 * pad[i]
                        + " + " + d[i] + "·(" + f[i] + " - 1) + " + outPad[i] + " + 1 = " + out[i];
                empty.computeIfAbsent(formula, k -> new ArrayList<>()).add(axisName(n, i)[2]);
            }
        }
        if (empty.isEmpty()) return out;
        p.report(Diag.EmptyOutput, kind, describe(empty)).help("the padding crops away more than the output has; use less padding (the input here is " + x + ")");
        return null;
    }

    private static String describe(Map<String, List<String>> byFormula) {
        List<String> parts = new ArrayList<>();
        byFormula.forEach((formula, axes) -> parts.add(formula + " along " + String.join(" and ", axes)));
        return String.join("; ", parts);
    }

    /** (W - F + 2P) / S + 1 = (4 - 5 + 0) / 1 + 1 = 0, with F_eff spelled out under dilation. */
    private static String formula(long w, long f, long fEff, long d, long pad, long s, long out) {
        if (d == 1) {
            return "(W - F + 2P) / S + 1 = (" + w + " - " + f + " + " + 2 * pad + ") / " + s + " + 1 = " + out;
        }
        return "(W - F_eff + 2P) / S + 1 = (" + w + " - " + fEff + " + " + 2 * pad + ") / " + s + " + 1 = " + out
                + " with F_eff = D(F - 1) + 1 = " + d + "(" + f + " - 1) + 1 = " + fEff;
    }

    private static String[] axisName(int dims, int i) {
        return switch (dims) {
            case 1 -> AXES[0];
            case 2 -> AXES[1 + i];
            default -> i == 0 ? AXES[3] : AXES[i];
        };
    }
}
