package dln.lsp;

import dln.diag.Source;
import dln.diag.Span;
import dln.op.Network;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What hover knows about one document: for each model, the network of the last check that built
 * it, and the text it was built from. A model that fails to check keeps its last network, so that
 * hovers keep working while the user types; offsets into the older text are carried over to the
 * current text through their common prefix and suffix.
 */
record Analysis(Map<String, Built> models) {
    static final Analysis EMPTY = new Analysis(Map.of());

    /** A network and the main file it was checked from. */
    record Built(Network network, Source source) {
        String text() { return source.text(); }
    }

    /** A layer found at an offset of the current text, with its span carried over to that text. */
    record Found(Network network, Network.Layer layer, int start, int end) {}

    /** This analysis updated with a check of {@code main}: models that built replace their older networks. */
    Analysis with(Map<String, Network> networks, Source main) {
        Map<String, Built> next = new LinkedHashMap<>(models);
        networks.forEach((name, net) -> {
            if (net != null) next.put(name, new Built(net, main));
        });
        return new Analysis(Map.copyOf(next));
    }

    /**
     * The layers of the main file whose call contains {@code offset} of {@code text}, innermost
     * first: one per model and block instance that the call produced.
     */
    List<Found> layersAt(String text, int offset) {
        List<Found> found = new ArrayList<>();
        int smallest = Integer.MAX_VALUE;
        for (Built built : models.values()) {
            Shift shift = Shift.between(built.text(), text);
            int old = shift.back(offset);
            if (old < 0) continue;
            for (Network.Layer layer : built.network().layers()) {
                Span s = layer.span();
                if (s.source() != built.source() || old < s.start() || old >= s.end()) continue;
                int start = shift.forward(s.start());
                int end = shift.forward(s.end() - 1) + 1;
                if (start < 0 || end <= 0) continue;
                int width = s.end() - s.start();
                if (width < smallest) {
                    found.clear();
                    smallest = width;
                }
                if (width == smallest) found.add(new Found(built.network(), layer, start, end));
            }
        }
        return found;
    }

    /** How offsets move from an older text to a newer one that shares a prefix and a suffix with it. */
    private record Shift(int prefix, int oldSuffixStart, int delta) {
        static Shift between(String older, String newer) {
            int n = Math.min(older.length(), newer.length());
            int p = 0;
            while (p < n && older.charAt(p) == newer.charAt(p)) p++;
            int s = 0;
            while (s < n - p && older.charAt(older.length() - 1 - s) == newer.charAt(newer.length() - 1 - s)) s++;
            return new Shift(p, older.length() - s, newer.length() - older.length());
        }

        /** The older text's offset for a newer one, or -1 inside the edited part. */
        int back(int newer) {
            if (newer < prefix) return newer;
            if (newer - delta >= oldSuffixStart) return newer - delta;
            return -1;
        }

        /** The newer text's offset for an older one, or -1 inside the edited part. */
        int forward(int older) {
            if (older < prefix) return older;
            if (older >= oldSuffixStart) return older + delta;
            return -1;
        }
    }
}
