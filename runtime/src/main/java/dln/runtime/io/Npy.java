package dln.runtime.io;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Arrays as NumPy .npy files (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * the magic {@code \x93NUMPY}, a version, a header length, a Python-literal dict
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (10, 3), }} padded to 64 bytes, then the
 * data in C order. Reads versions 1.0, 2.0 and 3.0, floats (f2, f4, f8), integers (i1 to i8,
 * u1 to u8) and bool (b1) in either byte order; writes version 1.0 as {@code np.save} does, byte for byte.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** NumPy's ARRAY_ALIGN: the data starts on a multiple of this. */
    private static final int ALIGN = 64;
    /** NumPy's GROWTH_AXIS_MAX_DIGITS: room left in the header for the first dimension to grow. */
    private static final int GROWTH_DIGITS = 21;
    /** Every whole number below this in magnitude is exactly a float32. */
    private static final float EXACT = 1 << 24;
    /** NumPy itself refuses headers over 10,000 characters unless told to trust the file. */
    private static final int MAX_HEADER = 1 << 20;
    private static final List<String> KEYS = List.of("descr", "fortran_order", "shape");

    private Npy() {}

    /**
     * An array in C (row-major) order; {@code data.length} is the product of {@code shape} (1 for
     * shape {@code []}). {@code integer} says the file held integers or booleans, converted to float
     * (exactly below 2^24). The arrays are shared, not copied.
     */
    public record Array(long[] shape, float[] data, boolean integer) {
        public Array {
            Shapes.check(shape, data);
        }

        /**
         * The values as ints. Throws {@link ArithmeticException} if one is not a whole number, or is
         * 2^24 or more in magnitude, where float32 no longer tells neighbouring integers apart.
         */
        public int[] ints() {
            int[] ints = new int[data.length];
            for (int i = 0; i < data.length; i++) {
                float v = data[i];
                if (v != Math.rint(v)) throw new ArithmeticException("value " + v + " at flat index " + i + " is not a whole number");
                if (Math.abs(v) >= EXACT) {
                    throw new ArithmeticException("value " + v + " at flat index " + i
                            + " is 2^24 or more in magnitude, where float32 no longer holds every integer exactly");
                }
                ints[i] = (int) v;
            }
            return ints;
        }

        /** Same shape, kind and values ({@link Float#floatToIntBits}: any NaN equals any NaN, 0 ≠ -0). */
        @Override public boolean equals(Object o) {
            return o instanceof Array a && integer == a.integer && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
        }

        @Override public int hashCode() { return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data) + (integer ? 1 : 0); }

        @Override public String toString() { return (integer ? "Array(integer)" : "Array") + Shapes.show(shape); }
    }

    /**
     * Writes {@code <f4}, or {@code <i4} for an integer array (whose values must pass
     * {@link Array#ints()}), atomically: the previous file stays whole until the new one is.
     */
    public static void write(Path file, Array array) throws IOException {
        int[] ints = array.integer() ? array.ints() : null;
        byte[] header = header(array.integer() ? "<i4" : "<f4", array.shape());
        AtomicFiles.write(file, out -> {
            out.write(header);
            if (ints != null) Dtype.writeI32(out, ints);
            else Dtype.writeF32(out, array.data());
        });
    }

    /** Magic, version, length and dict, laid out as NumPy's {@code _write_array_header} lays them out. */
    static byte[] header(String descr, long[] shape) {
        String dims = Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", "));
        String tuple = shape.length == 1 ? "(" + dims + ",)" : "(" + dims + ")";
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + tuple + ", }";
        if (shape.length > 0) dict += " ".repeat(Math.max(0, GROWTH_DIGITS - Long.toString(shape[0]).length()));
        byte[] text = dict.getBytes(ISO_8859_1);
        int major = 1, prefix = 10;
        int padding = ALIGN - (prefix + text.length + 1) % ALIGN;
        if (text.length + padding + 1 > 0xffff) { // the length no longer fits version 1.0's short
            major = 2;
            prefix = 12;
            padding = ALIGN - (prefix + text.length + 1) % ALIGN;
        }
        int length = text.length + padding + 1;
        ByteBuffer out = ByteBuffer.allocate(prefix + length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) out.putShort((short) length);
        else out.putInt(length);
        out.put(text);
        for (int i = 0; i < padding; i++) out.put((byte) ' ');
        return out.put((byte) '\n').array();
    }

    public static Array read(Path file) throws IOException {
        FileErrors.requireFileOrAbsent(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer start = Dtype.bytes(channel, 0, (int) Math.min(size, 12)).order(ByteOrder.LITTLE_ENDIAN);
            int major = version(file, start);
            int headerStart = major == 1 ? 10 : 12;
            if (size < headerStart) throw new DataException(file, 8, "the file ends inside the header length");
            long length = major == 1 ? start.getShort(8) & 0xffff : start.getInt(8) & 0xffffffffL;
            if (length > MAX_HEADER) {
                throw new DataException(file, 8, "the header length is " + length + " bytes, more than the " + MAX_HEADER
                        + " DLN accepts (is this a .npy file?)");
            }
            if (length > size - headerStart) {
                throw new DataException(file, 8, "the header length is " + length + " bytes, but only " + (size - headerStart)
                        + " bytes follow it (is the file truncated?)");
            }
            byte[] text = new byte[(int) length];
            Dtype.bytes(channel, headerStart, text.length).get(text);
            Charset charset = major == 3 ? UTF_8 : ISO_8859_1;
            Node.Obj dict = PyLiteral.parseDict(new Cursor(file, text, headerStart), charset);
            return data(file, channel, dict, headerStart + length, size);
        } catch (IOException e) {
            throw FileErrors.naming(file, e);
        }
    }

    /** Checks the magic and returns the major version. */
    private static int version(Path file, ByteBuffer start) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (i == start.limit()) throw new DataException(file, i, "the file ends inside the magic string \\x93NUMPY of a .npy file");
            if (start.get(i) != MAGIC[i]) {
                throw new DataException(file, 0, "expected the magic string \\x93NUMPY that starts a .npy file, found "
                        + printable(start, Math.min(start.limit(), MAGIC.length)));
            }
        }
        if (start.limit() < 8) throw new DataException(file, 6, "the file ends inside the format version");
        int major = start.get(6), minor = start.get(7);
        if (major < 1 || major > 3 || minor != 0) {
            throw new DataException(file, 6, "format version " + (major & 0xff) + "." + (minor & 0xff)
                    + " is not supported; DLN reads 1.0, 2.0 and 3.0");
        }
        return major;
    }

    private static String printable(ByteBuffer b, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = b.get(i) & 0xff;
            s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return s.toString();
    }

    private static Array data(Path file, FileChannel channel, Node.Obj dict, long dataStart, long size) throws IOException {
        checkKeys(file, dict);
        Map<String, Node> members = dict.members();
        Node.Arr shapeNode = Node.as(Node.Arr.class, members.get("shape"), file, "the shape");
        long[] shape = shapeNode.items().stream().mapToLong(d -> Node.count(d, file, "each dimension of the shape")).toArray();
        Dtype dtype = dtype(file, members.get("descr"));
        ByteOrder order = Node.as(Node.Str.class, members.get("descr"), file, "descr").value().charAt(0) == '>'
                ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        checkCOrder(file, Node.as(Node.Bool.class, members.get("fortran_order"), file, "fortran_order"), shape);
        long count = Shapes.size(shape);
        if (count < 0 || count > Shapes.MAX_VALUES) {
            throw new DataException(file, shapeNode.at(), "shape " + Shapes.show(shape) + " has more values than one Java array can hold");
        }
        long need = count * dtype.size, have = size - dataStart;
        if (have < need) {
            throw new DataException(file, dataStart, "the file ends after " + have / dtype.size + " of " + count
                    + " values of shape " + Shapes.show(shape));
        }
        if (have > need) {
            throw new DataException(file, dataStart + need, (have - need) + " more bytes follow the " + count
                    + " values of shape " + Shapes.show(shape) + "; expected the end of the file");
        }
        return new Array(shape, dtype.read(channel, dataStart, (int) count, order), dtype.integer);
    }

    private static void checkKeys(Path file, Node.Obj dict) {
        dict.members().forEach((key, value) -> {
            if (!KEYS.contains(key)) {
                throw new DataException(file, value.at(), "unexpected key '" + key
                        + "' in the header, which holds exactly 'descr', 'fortran_order' and 'shape'");
            }
        });
        for (String key : KEYS) {
            if (!dict.members().containsKey(key)) throw new DataException(file, dict.at(), "the header has no '" + key + "'");
        }
    }

    /** Maps a descr such as {@code '<f4'} to its element type. */
    private static Dtype dtype(Path file, Node node) {
        if (node instanceof Node.Arr) {
            throw new DataException(file, node.at(), "structured arrays (a descr that lists fields) are not supported");
        }
        String descr = Node.as(Node.Str.class, node, file, "descr").value();
        Dtype dtype = switch (descr.length() == 3 ? descr.substring(1) : "") {
            case "b1" -> Dtype.BOOL;
            case "i1" -> Dtype.I8;
            case "u1" -> Dtype.U8;
            case "i2" -> Dtype.I16;
            case "u2" -> Dtype.U16;
            case "i4" -> Dtype.I32;
            case "u4" -> Dtype.U32;
            case "i8" -> Dtype.I64;
            case "u8" -> Dtype.U64;
            case "f2" -> Dtype.F16;
            case "f4" -> Dtype.F32;
            case "f8" -> Dtype.F64;
            default -> null;
        };
        char order = descr.isEmpty() ? '?' : descr.charAt(0);
        boolean known = order == '<' || order == '>' || order == '|' && dtype != null && dtype.size == 1;
        if (dtype == null || !known) {
            throw new DataException(file, node.at(), "dtype '" + descr + "' is not supported; DLN reads floats (f2, f4, f8),"
                    + " integers (i1, i2, i4, i8, u1, u2, u4, u8) and bool (b1), little-endian '<' or big-endian '>'");
        }
        return dtype;
    }

    /** Fortran order is refused unless it lays the values out as C order does (one dimension above 1). */
    private static void checkCOrder(Path file, Node.Bool fortran, long[] shape) {
        if (fortran.value() && Arrays.stream(shape).filter(d -> d > 1).count() > 1) {
            throw new DataException(file, fortran.at(), "the array of shape " + Shapes.show(shape)
                    + " is in Fortran (column-major) order; DLN reads C order only: save np.ascontiguousarray(a)");
        }
    }
}
