package dln.onnx;

import static dln.onnx.ImportTensors.integer;
import static dln.onnx.ImportTensors.integers;
import static dln.onnx.ImportTensors.onlyAttributes;
import static dln.onnx.ImportTensors.shape;
import static dln.onnx.ImportTensors.text;

import dln.onnx.ImportValue.Act;
import dln.onnx.ImportValue.Const;
import dln.onnx.proto.OnnxProto.NodeProto;
import dln.runtime.io.Safetensors.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * ONNX's sliding windows as DLN's: Conv as conv1d/2d/3d, MaxPool and AveragePool as the pools.
 * DLN pads both ends of an axis alike and rounds the window count down, so asymmetric pads,
 * auto_pad SAME, ceil_mode and grouped convolutions are refused, each by its attribute.
 */
final class ImportWindows {
    private final NodeProto node;
    private final ImportOps ops;

    ImportWindows(NodeProto node, ImportOps ops) {
        this.node = node;
        this.ops = ops;
    }

    ImportValue conv() {
        onlyAttributes(node, Set.of("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"));
        Act x = ops.plain(0);
        Const w = ops.constant(1);
        int d = w.dims().length - 2;
        if (d < 1 || d > 3 || x.dln().length != d + 1) throw new Unmappable("Conv of " + shape(x.shape()) + " by weights " + shape(w.dims()) + " is not a DLN convolution");
        if (integer(node, "group", 1) != 1) throw new Unmappable("attribute `group` = " + integer(node, "group", 1) + ": DLN's convolutions are not grouped");
        if (w.dims()[1] != x.dln()[0]) throw new Unmappable("the weights " + shape(w.dims()) + " do not read " + x.dln()[0] + " channels");
        long[] kernel = Arrays.copyOfRange(w.dims(), 2, w.dims().length);
        long[] declared = integers(node, "kernel_shape", kernel);
        if (!Arrays.equals(declared, kernel)) throw new Unmappable("attribute `kernel_shape` " + shape(declared) + " disagrees with the weights " + shape(w.dims()));
        Window win = window(d, kernel);
        long filters = w.dims()[0];
        List<String> args = new ArrayList<>(List.of(Long.toString(filters), "kernel: " + ImportWriter.sizes(kernel)));
        if (!ones(win.stride)) args.add("stride: " + ImportWriter.sizes(win.stride));
        if (!zeros(win.pad)) args.add("padding: " + ImportWriter.sizes(win.pad));
        if (!ones(win.dilation)) args.add("dilation: " + ImportWriter.sizes(win.dilation));
        Const b = ops.optionalConstant(2);
        if (b == null) args.add("bias: false");
        else if (b.size() != filters) throw new Unmappable("the bias has shape " + shape(b.dims()) + ", not [" + filters + "]");
        ImportLayer l = ops.layer("conv" + d + "d", args, x.id());
        l.params.put("weight", new Tensor(w.dims(), w.asFloats()));
        if (b != null) l.params.put("bias", new Tensor(new long[] {filters}, b.asFloats()));
        return ops.emit(l, win.output(filters, x.dln()));
    }

    private record Window(long[] kernel, long[] stride, long[] pad, long[] dilation) {
        long[] output(long channels, long[] in) {
            long[] out = new long[in.length];
            out[0] = channels;
            for (int i = 0; i < kernel.length; i++) {
                long span = dilation[i] * (kernel[i] - 1) + 1;
                out[i + 1] = Math.floorDiv(in[i + 1] + 2 * pad[i] - span, stride[i]) + 1;
                if (out[i + 1] < 1) throw new Unmappable("the window " + shape(kernel) + " does not fit the input " + shape(in));
            }
            return out;
        }
    }

    /** Strides, symmetric pads and dilations over {@code d} axes, refusing what DLN's windows cannot do. */
    private Window window(int d, long[] kernel) {
        String autoPad = text(node, "auto_pad", "NOTSET");
        if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
            throw new Unmappable("attribute `auto_pad` = " + ImportNames.quote(autoPad) + " is not supported: export with explicit pads");
        }
        long[] stride = integers(node, "strides", filled(d, 1));
        long[] dilation = integers(node, "dilations", filled(d, 1));
        long[] pads = integers(node, "pads", filled(2 * d, 0));
        if (stride.length != d || dilation.length != d || pads.length != 2 * d) throw new Unmappable("the strides, dilations or pads do not have " + d + " axes");
        long[] pad = Arrays.copyOf(pads, d);
        for (int i = 0; i < d; i++) {
            if (pads[i] != pads[i + d]) throw new Unmappable("attribute `pads` " + shape(pads) + " pads the two ends of an axis differently; DLN pads both ends alike");
            if (pads[i] < 0 || stride[i] < 1 || dilation[i] < 1 || kernel[i] < 1) throw new Unmappable("a kernel, stride, dilation or pad is out of range");
        }
        return new Window(kernel, stride, pad, dilation);
    }

    private static long[] filled(int n, long v) {
        long[] a = new long[n];
        Arrays.fill(a, v);
        return a;
    }

    private static boolean ones(long[] a) { return Arrays.stream(a).allMatch(v -> v == 1); }

    private static boolean zeros(long[] a) { return Arrays.stream(a).allMatch(v -> v == 0); }

    ImportValue pool() {
        boolean max = node.getOpType().equals("MaxPool");
        onlyAttributes(node, max ? Set.of("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "strides", "storage_order")
                : Set.of("auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"));
        Act x = ops.plain(0);
        long[] kernel = integers(node, "kernel_shape", null);
        if (kernel == null) throw new Unmappable("attribute `kernel_shape` is missing");
        int d = kernel.length;
        if (d < 1 || d > 3 || x.dln().length != d + 1) throw new Unmappable("a pool over " + d + " axes of " + shape(x.shape()) + " is not a DLN pool");
        if (integer(node, "ceil_mode", 0) != 0) throw new Unmappable("attribute `ceil_mode` = 1 is not supported: DLN's windows round down");
        Window win = window(d, kernel);
        if (!ones(win.dilation)) throw new Unmappable("attribute `dilations` is not supported for pooling");
        if (!max && !zeros(win.pad) && integer(node, "count_include_pad", 0) == 0) {
            throw new Unmappable("attribute `count_include_pad` = 0 with padding: DLN's average pool counts the padding (PyTorch's default)");
        }
        List<String> args = new ArrayList<>(List.of(ImportWriter.sizes(kernel)));
        if (!Arrays.equals(win.stride, kernel)) args.add("stride: " + ImportWriter.sizes(win.stride));
        if (!zeros(win.pad)) args.add("padding: " + ImportWriter.sizes(win.pad));
        return ops.emit(ops.layer((max ? "maxpool" : "avgpool") + d + "d", args, x.id()), win.output(x.dln()[0], x.dln()));
    }
}
