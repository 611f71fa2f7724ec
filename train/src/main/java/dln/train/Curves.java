package dln.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The training curves as an SVG image: one panel per quantity (loss, accuracy, mae, ...), each
 * with its training and validation values against the epoch. Plain SVG 1.1 with no scripts or
 * fonts to fetch, so any browser or image viewer shows it.
 */
public final class Curves {
    private static final int WIDTH = 640, PANEL = 220, LEFT = 64, RIGHT = 16, TOP = 28, BOTTOM = 36;
    private static final String TRAIN = "#1f77b4", VALIDATION = "#ff7f0e";

    private Curves() {}

    public static String svg(String title, List<Trainer.Epoch> log) {
        Map<String, List<String>> panels = panels(log);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH, PANEL * Math.max(1, panels.size())));
        out.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        int y = 0;
        for (var panel : panels.entrySet()) {
            panel(out, title, panel.getKey(), panel.getValue(), log, y);
            y += PANEL;
        }
        return out.append("</svg>\n").toString();
    }

    /** Quantity → the log's keys for it: {@code loss → [loss, val_loss]}. */
    private static Map<String, List<String>> panels(List<Trainer.Epoch> log) {
        Map<String, List<String>> panels = new LinkedHashMap<>();
        if (log.isEmpty()) return panels;
        for (String key : log.get(0).values().keySet()) {
            String base = key.startsWith("val_") ? key.substring(4) : key;
            panels.computeIfAbsent(base, k -> new ArrayList<>()).add(key);
        }
        return panels;
    }

    private static void panel(StringBuilder out, String title, String name, List<String> keys, List<Trainer.Epoch> log, int top) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Trainer.Epoch e : log) {
            for (String k : keys) {
                double v = e.values().getOrDefault(k, Double.NaN);
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (!(lo <= hi)) return;
        if (hi - lo < 1e-12) {
            hi += 0.5;
            lo -= 0.5;
        }
        int x0 = LEFT, x1 = WIDTH - RIGHT, y0 = top + PANEL - BOTTOM, y1 = top + TOP;
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s: %s</text>%n", x0, top + 18, escape(title), name));
        out.append(String.format(Locale.ROOT, "<path d=\"M%d %d V%d H%d\" fill=\"none\" stroke=\"#444\"/>%n", x0, y1, y0, x1));
        for (double v : new double[] {lo, (lo + hi) / 2, hi}) {
            double y = y0 - (v - lo) / (hi - lo) * (y0 - y1);
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>%n", x0 - 6, y + 4, v));
            out.append(String.format(Locale.ROOT, "<path d=\"M%d %.1f H%d\" stroke=\"#ddd\"/>%n", x0 + 1, y, x1));
        }
        long first = log.get(0).epoch() + 1, last = log.get(log.size() - 1).epoch() + 1;
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", x0, y0 + 16, first));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", x1, y0 + 16, last));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">epoch</text>%n", (x0 + x1) / 2, y0 + 28));
        int legend = x1 - 150;
        for (String k : keys) {
            String color = k.startsWith("val_") ? VALIDATION : TRAIN;
            StringBuilder points = new StringBuilder();
            for (Trainer.Epoch e : log) {
                double v = e.values().getOrDefault(k, Double.NaN);
                if (!Double.isFinite(v)) continue;
                double x = last == first ? (x0 + x1) / 2.0 : x0 + (double) (e.epoch() + 1 - first) / (last - first) * (x1 - x0);
                double y = y0 - (v - lo) / (hi - lo) * (y0 - y1);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            out.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n", points.toString().strip(), color));
            out.append(String.format(Locale.ROOT, "<path d=\"M%d %d h18\" stroke=\"%s\" stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                    legend, top + 14, color, legend + 22, top + 18, k));
            legend += 75;
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
