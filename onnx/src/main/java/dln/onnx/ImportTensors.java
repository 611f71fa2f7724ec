package dln.onnx;

import dln.onnx.proto.OnnxProto.AttributeProto;
import dln.onnx.proto.OnnxProto.NodeProto;
import dln.onnx.proto.OnnxProto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import dln.onnx.ImportValue.Const;

/**
 * Reads ONNX tensors and attributes into Java arrays, refusing what DLN cannot hold: only float32
 * and integer tensors stored in the file (not external data), and a tensor's declared dimensions
 * must agree with the bytes it really has, so a hostile file cannot make dlnc allocate more than
 * its own size.
 */
final class ImportTensors {
    private ImportTensors() {}

    /** The tensor's values, or a {@link Unmappable} saying why they cannot be read. */
    static Const read(TensorProto t) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new Unmappable("tensor " + ImportNames.quote(t.getName()) + " keeps its data in an external file, which dlnc import does not read");
        }
        if (t.hasSegment()) throw new Unmappable("tensor " + ImportNames.quote(t.getName()) + " is split in segments");
        long[] dims = new long[t.getDimsCount()];
        long size = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
            if (dims[i] < 0) throw new Unmappable("tensor " + ImportNames.quote(t.getName()) + " has a negative dimension " + dims[i]);
            size = dims[i] == 0 || size == 0 ? 0 : size > Integer.MAX_VALUE / dims[i] ? Integer.MAX_VALUE + 1L : size * dims[i];
        }
        int type = t.getDataType();
        int width = type == TensorProto.DataType.FLOAT_VALUE || type == TensorProto.DataType.INT32_VALUE ? 4
                : type == TensorProto.DataType.INT64_VALUE || type == TensorProto.DataType.DOUBLE_VALUE ? 8 : 0;
        if (width == 0) {
            throw new Unmappable("tensor " + ImportNames.quote(t.getName()) + " is of ONNX type " + type + "; dlnc import reads float, double, int32 and int64 tensors");
        }
        long stored = t.hasRawData() ? t.getRawData().size() / width
                : switch (type) {
                    case TensorProto.DataType.FLOAT_VALUE -> t.getFloatDataCount();
                    case TensorProto.DataType.INT32_VALUE -> t.getInt32DataCount();
                    case TensorProto.DataType.INT64_VALUE -> t.getInt64DataCount();
                    default -> t.getDoubleDataCount();
                };
        if (size != stored || (t.hasRawData() && t.getRawData().size() % width != 0)) {
            throw new Unmappable("tensor " + ImportNames.quote(t.getName()) + " declares " + shape(dims) + " (" + (size > Integer.MAX_VALUE ? "over 2^31" : size)
                    + " values) but holds " + stored + " values");
        }
        int n = (int) size;
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        return switch (type) {
            case TensorProto.DataType.FLOAT_VALUE -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) f[i] = t.hasRawData() ? raw.getFloat(4 * i) : t.getFloatData(i);
                yield new Const(dims, f, null);
            }
            case TensorProto.DataType.DOUBLE_VALUE -> {
                float[] f = new float[n];
                for (int i = 0; i < n; i++) f[i] = (float) (t.hasRawData() ? raw.getDouble(8 * i) : t.getDoubleData(i));
                yield new Const(dims, f, null);
            }
            default -> {
                long[] l = new long[n];
                for (int i = 0; i < n; i++) {
                    l[i] = type == TensorProto.DataType.INT64_VALUE ? (t.hasRawData() ? raw.getLong(8 * i) : t.getInt64Data(i))
                            : (t.hasRawData() ? raw.getInt(4 * i) : t.getInt32Data(i));
                }
                yield new Const(dims, null, l);
            }
        };
    }

    /** The value of a Constant node (its `value`, `value_float(s)` or `value_int(s)` attribute). */
    static Const constant(NodeProto node) {
        onlyAttributes(node, Set.of("value", "value_float", "value_floats", "value_int", "value_ints"));
        if (node.getAttributeCount() != 1) throw new Unmappable("a Constant node needs exactly one value attribute");
        AttributeProto a = node.getAttribute(0);
        return switch (a.getName()) {
            case "value" -> read(a.getT());
            case "value_float" -> new Const(new long[0], new float[] {a.getF()}, null);
            case "value_floats" -> new Const(new long[] {a.getFloatsCount()}, toFloats(a.getFloatsList()), null);
            case "value_int" -> new Const(new long[0], null, new long[] {a.getI()});
            default -> new Const(new long[] {a.getIntsCount()}, null, a.getIntsList().stream().mapToLong(Long::longValue).toArray());
        };
    }

    private static float[] toFloats(List<Float> list) {
        float[] f = new float[list.size()];
        for (int i = 0; i < f.length; i++) f[i] = list.get(i);
        return f;
    }

    /** Refuses any attribute of {@code node} not in {@code known}, naming it. */
    static void onlyAttributes(NodeProto node, Set<String> known) {
        for (AttributeProto a : node.getAttributeList()) {
            if (!known.contains(a.getName())) throw new Unmappable("attribute " + ImportNames.quote(a.getName()) + " is not supported");
        }
    }

    static AttributeProto attribute(NodeProto node, String name) {
        for (AttributeProto a : node.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    static long integer(NodeProto node, String name, long otherwise) {
        AttributeProto a = attribute(node, name);
        return a == null ? otherwise : a.getI();
    }

    static float real(NodeProto node, String name, float otherwise) {
        AttributeProto a = attribute(node, name);
        return a == null ? otherwise : a.getF();
    }

    static String text(NodeProto node, String name, String otherwise) {
        AttributeProto a = attribute(node, name);
        return a == null ? otherwise : a.getS().toStringUtf8();
    }

    /** An ints attribute, or {@code otherwise} (may be null) when absent. */
    static long[] integers(NodeProto node, String name, long[] otherwise) {
        AttributeProto a = attribute(node, name);
        return a == null ? otherwise : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    static List<String> texts(NodeProto node, String name) {
        AttributeProto a = attribute(node, name);
        List<String> out = new ArrayList<>();
        if (a != null) for (var s : a.getStringsList()) out.add(s.toStringUtf8());
        return out;
    }

    static String shape(long[] dims) {
        return java.util.Arrays.toString(dims);
    }
}
