package dln.cli;

import dln.net.ParamSpec;
import dln.net.Training;
import dln.op.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The per-model summary of `dlnc check`, in the manner of Keras' model.summary(): one row per
 * layer with its output shape, parameter count and forward FLOPs per example, one row per
 * parameter with its full name and PyTorch-layout shape, then totals.
 */
final class Summary {
    private Summary() {}

    static String render(Network net, Training training, String where) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Layer (op)", "Output shape", "Params", "FLOPs", "Input"});
        for (Network.Input in : net.inputs()) {
            rows.add(new String[] {in.name() + " (input)", (in.dtype() == dln.net.DType.INT ? "int" : "") + in.shape(), "0", "0", ""});
        }
        int previous = net.inputs().size() == 1 ? 0 : -1;
        for (Network.Layer layer : net.layers()) {
            String from = layer.inputs().size() == 1 && layer.inputs().get(0) == previous ? ""
                    : String.join(", ", layer.inputs().stream().map(v -> valueName(net, v)).toList());
            rows.add(new String[] {layer.name() + " (" + layer.op().kind() + ")", layer.shape().toString(),
                    number(layer.paramCount()), number(layer.flops()), from});
            for (ParamSpec p : layer.params()) {
                rows.add(new String[] {"  " + layer.name() + "." + p.name(), p.shape().toString(),
                        number(p.shape().size()) + (p.trainable() ? "" : "*"), "", ""});
            }
            previous = layer.value();
        }
        int[] widths = new int[5];
        for (String[] row : rows) for (int i = 0; i < 5; i++) widths[i] = Math.max(widths[i], row[i].length());

        List<String> lines = new ArrayList<>();
        for (String[] row : rows) {
            String line = "  " + pad(row[0], widths[0]) + "  " + pad(row[1], widths[1]) + "  "
                    + left(row[2], widths[2]) + "  " + left(row[3], widths[3]);
            if (!row[4].isEmpty() && row != rows.get(0)) line += "  <- " + row[4];
            lines.add(line.stripTrailing());
        }
        int width = widths[0] + widths[1] + widths[2] + widths[3] + 6;
        String rule = "  " + "\u2500".repeat(width) + "\n";

        StringBuilder out = new StringBuilder();
        out.append("model ").append(net.name()).append("  (").append(where).append(")\n");
        out.append(lines.get(0)).append('\n').append(rule);
        for (String line : lines.subList(1, lines.size())) out.append(line).append('\n');
        out.append(rule);
        long params = net.paramCount();
        long trainable = net.trainableCount();
        out.append("  Total params: ").append(number(params)).append(" (").append(bytes(params * 4.0)).append(" as float32)\n");
        out.append("  Trainable params: ").append(number(trainable)).append('\n');
        out.append("  Non-trainable params: ").append(number(params - trainable));
        if (params != trainable) out.append("  (* batch-norm running statistics)");
        out.append('\n');
        out.append("  Forward FLOPs per example: ").append(number(net.flops())).append(" (").append(si(net.flops())).append(")\n");
        if (training != null) out.append("  train: ").append(describe(training)).append('\n');
        return out.toString();
    }

    private static String valueName(Network net, int v) {
        Network.Layer producer = net.producer(v);
        return producer == null ? net.inputs().get(v).name() : producer.name();
    }

    static String describe(Training t) {
        List<String> parts = new ArrayList<>();
        if (t.targetsAreInputs()) parts.add("targets inputs");
        if (t.loss() != null) parts.add("loss " + t.loss());
        if (t.optimizer() != null) parts.add("optimizer " + t.optimizer());
        if (t.schedule() != null) parts.add("schedule " + t.schedule());
        if (t.clip() != null) parts.add("clip " + t.clip());
        parts.add("batch " + (t.batch() == Training.ALL ? "all" : Long.toString(t.batch())));
        parts.add("epochs " + t.epochs());
        if (t.l1() > 0) parts.add("l1 " + real(t.l1()));
        if (t.l2() > 0) parts.add("l2 " + real(t.l2()));
        if (t.validation() != null) parts.add("validation " + real(t.validation()));
        if (t.split() != null) {
            parts.add("split " + real(t.split().train()) + "/" + real(t.split().validation()) + "/" + real(t.split().test()));
        }
        if (!t.metrics().isEmpty()) parts.add("metrics " + String.join(", ", t.metrics()));
        return String.join(", ", parts);
    }

    static String real(double v) {
        return Training.Call.format(v);
    }

    static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String si(long n) {
        String[] units = {"", "K", "M", "G", "T", "P", "E"};
        double v = n;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return u == 0 ? n + " FLOPs" : String.format(Locale.ROOT, "%.2f %sFLOPs", v, units[u]);
    }

    private static String bytes(double n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? (long) n + " B" : String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }

    private static String left(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }
}
