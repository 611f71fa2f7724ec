package dln.runtime.io;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Weights as safetensors files (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length, a JSON header {@code {name: {dtype, shape, data_offsets}}} with an
 * optional {@code "__metadata__"} map of strings, then the little-endian data. DLN writes float32
 * (F32) as the reference implementation lays it out, byte for byte; it reads F32, F64, F16, BF16 and
 * the integer types (BOOL, I8..I64, U8..U64: batch norm's {@code num_batches_tracked} counter in a
 * PyTorch state dict is I64), converting each value to float32 with one rounding.
 */
public final class Safetensors {
    /** The reference implementation's limit, which keeps a corrupt length from allocating gigabytes. */
    static final long MAX_HEADER = 100_000_000;
    private static final String METADATA = "__metadata__";
    private static final Comparator<String> BY_UTF8 = Comparator.comparing(s -> s.getBytes(UTF_8), Arrays::compareUnsigned);

    private Safetensors() {}

    /**
     * A float32 tensor in row-major order; {@code data.length} is the product of {@code shape}
     * (1 for a scalar, shape {@code []}). The arrays are shared, not copied: weights are large.
     */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            Shapes.check(shape, data);
        }

        /** Same shape and same values ({@link Float#floatToIntBits}: any NaN equals any NaN, 0 ≠ -0). */
        @Override public boolean equals(Object o) {
            return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
        }

        @Override public int hashCode() { return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data); }

        @Override public String toString() { return "Tensor" + Shapes.show(shape); }
    }

    /**
     * Writes the tensors as F32, sorted by name, with the metadata (may be null or empty) sorted by
     * key. The write is atomic: the previous file stays whole until the new one is.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Tensor> sorted = new TreeMap<>(BY_UTF8);
        tensors.forEach((name, tensor) -> {
            if (name.equals(METADATA)) throw new IllegalArgumentException("a tensor cannot be named " + METADATA);
            sorted.put(name, Objects.requireNonNull(tensor, name));
        });
        byte[] header = header(sorted, metadata == null ? Map.of() : metadata);
        AtomicFiles.write(file, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (Tensor t : sorted.values()) Dtype.writeF32(out, t.data());
        });
    }

    /** The JSON header as serde_json writes it (no spaces), padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        List<String> members = new ArrayList<>();
        if (!metadata.isEmpty()) {
            Map<String, String> keys = new TreeMap<>(BY_UTF8);
            keys.putAll(metadata);
            List<String> pairs = new ArrayList<>();
            keys.forEach((k, v) -> pairs.add(Json.quote(k) + ":" + Json.quote(v)));
            members.add(Json.quote(METADATA) + ":{" + String.join(",", pairs) + "}");
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            long end = offset + 4L * e.getValue().data().length;
            members.add(Json.quote(e.getKey()) + ":{\"dtype\":\"F32\",\"shape\":" + Arrays.toString(e.getValue().shape()).replace(" ", "")
                    + ",\"data_offsets\":[" + offset + "," + end + "]}");
            offset = end;
        }
        byte[] json = ("{" + String.join(",", members) + "}").getBytes(UTF_8);
        if (json.length > MAX_HEADER) throw new IllegalArgumentException("the header would exceed " + MAX_HEADER + " bytes");
        byte[] padded = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }

    /** Reads every tensor, in the order of the header, converting to float32. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        FileErrors.requireFileOrAbsent(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = header(file, channel);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : header.entries()) {
                int count = (int) ((e.end() - e.begin()) / e.dtype().size);
                float[] data = e.dtype().read(channel, header.dataStart() + e.begin(), count, ByteOrder.LITTLE_ENDIAN);
                tensors.put(e.name(), new Tensor(e.shape(), data));
            }
            return tensors;
        } catch (IOException e) {
            throw FileErrors.naming(file, e);
        }
    }

    /** The {@code "__metadata__"} map (empty if the file has none), reading only the header. */
    public static Map<String, String> metadata(Path file) throws IOException {
        FileErrors.requireFileOrAbsent(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return header(file, channel).metadata();
        } catch (IOException e) {
            throw FileErrors.naming(file, e);
        }
    }

    /**
     * Each tensor's dtype as the header names it ({@code "F32"}, {@code "I64"}, ...), in the order of
     * the header, reading only the header.
     */
    public static Map<String, String> dtypes(Path file) throws IOException {
        FileErrors.requireFileOrAbsent(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Map<String, String> dtypes = new LinkedHashMap<>();
            for (Entry e : header(file, channel).entries()) dtypes.put(e.name(), e.dtype().name());
            return dtypes;
        } catch (IOException e) {
            throw FileErrors.naming(file, e);
        }
    }

    /** Whether a dtype {@link #dtypes} gives holds integers (or booleans): counters and ids, not weights. */
    public static boolean integer(String dtype) {
        return Dtype.valueOf(dtype).integer;
    }

    private record Header(Map<String, String> metadata, List<Entry> entries, long dataStart) {}

    /** One tensor of the header; {@code begin} and {@code end} count from the start of the data. */
    private record Entry(String name, Dtype dtype, long[] shape, long begin, long end, long at) {}

    private static Header header(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw new DataException(file, 0, "the file has " + size + " bytes, too few for the 8-byte header length"
                    + " that starts a safetensors file");
        }
        long length = Dtype.bytes(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (length < 0 || length > MAX_HEADER) {
            throw new DataException(file, 0, "the header length is " + Long.toUnsignedString(length)
                    + " bytes, more than the " + MAX_HEADER + " a safetensors header may have (is this a safetensors file?)");
        }
        if (length > size - 8) {
            throw new DataException(file, 0, "the header length is " + length + " bytes, but only " + (size - 8)
                    + " bytes follow it (is the file truncated?)");
        }
        byte[] json = new byte[(int) length];
        Dtype.bytes(channel, 8, json.length).get(json);
        Node.Obj root = Json.parseObject(new Cursor(file, json, 8));
        long dataStart = 8 + length;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        root.members().forEach((name, node) -> {
            if (name.equals(METADATA)) metadata.putAll(metadata(file, node));
            else entries.add(entry(file, name, node, size - dataStart));
        });
        checkOverlaps(file, entries);
        return new Header(metadata, entries, dataStart);
    }

    private static Map<String, String> metadata(Path file, Node node) {
        Map<String, String> metadata = new LinkedHashMap<>();
        Node.as(Node.Obj.class, node, file, METADATA).members().forEach((key, value) ->
                metadata.put(key, Node.as(Node.Str.class, value, file, "the " + METADATA + " value of " + Json.quote(key)).value()));
        return metadata;
    }

    private static Entry entry(Path file, String name, Node node, long dataSize) {
        String what = "tensor " + Json.quote(name);
        Node.Obj info = Node.as(Node.Obj.class, node, file, what);
        Dtype dtype = dtype(file, what, Node.as(Node.Str.class, member(file, what, info, "dtype"), file, what + ": dtype"));
        Node.Arr shapeNode = Node.as(Node.Arr.class, member(file, what, info, "shape"), file, what + ": shape");
        long[] shape = shapeNode.items().stream().mapToLong(d -> Node.count(d, file, what + ": each dimension")).toArray();
        Node.Arr offsets = Node.as(Node.Arr.class, member(file, what, info, "data_offsets"), file, what + ": data_offsets");
        if (offsets.items().size() != 2) {
            throw new DataException(file, offsets.at(), what + ": data_offsets must be [begin, end], not a list of " + offsets.items().size());
        }
        long begin = Node.count(offsets.items().get(0), file, what + ": data_offsets");
        long end = Node.count(offsets.items().get(1), file, what + ": data_offsets");
        String range = what + ": data_offsets [" + begin + ", " + end + "]";
        if (end < begin) throw new DataException(file, offsets.at(), range + " end before they begin");
        long values = Shapes.size(shape);
        if (values < 0 || values > Shapes.MAX_VALUES) {
            throw new DataException(file, shapeNode.at(), what + ": shape " + Shapes.show(shape) + " has more values than one Java array can hold");
        }
        if (end - begin != values * dtype.size) {
            throw new DataException(file, offsets.at(), range + " hold " + (end - begin) + " bytes, but shape "
                    + Shapes.show(shape) + " of " + dtype + " needs " + values * dtype.size);
        }
        if (end > dataSize) {
            throw new DataException(file, offsets.at(), range + " reach past the end of the file, which holds only "
                    + dataSize + " bytes of data (is it truncated?)");
        }
        return new Entry(name, dtype, shape, begin, end, offsets.at());
    }

    private static Node member(Path file, String what, Node.Obj info, String key) {
        Node value = info.members().get(key);
        if (value == null) throw new DataException(file, info.at(), what + " has no \"" + key + "\"");
        return value;
    }

    private static Dtype dtype(Path file, String what, Node.Str node) {
        Dtype dtype = Arrays.stream(Dtype.values()).filter(d -> d.name().equals(node.value())).findFirst().orElse(null);
        if (dtype == null) {
            throw new DataException(file, node.at(), what + " has dtype " + node.value()
                    + ", which DLN does not read: it reads F32, F64, F16, BF16, BOOL and the integer types (converted to F32)");
        }
        return dtype;
    }

    /** Two tensors must not share bytes (empty tensors share nothing). */
    private static void checkOverlaps(Path file, List<Entry> entries) {
        List<Entry> byBegin = new ArrayList<>(entries);
        byBegin.removeIf(e -> e.begin() == e.end());
        byBegin.sort(Comparator.comparingLong(Entry::begin));
        Entry last = null;
        for (Entry e : byBegin) {
            if (last != null && e.begin() < last.end()) {
                throw new DataException(file, e.at(), "tensor " + Json.quote(e.name()) + " at data bytes [" + e.begin() + ", "
                        + e.end() + ") overlaps tensor " + Json.quote(last.name()) + " at [" + last.begin() + ", " + last.end() + ")");
            }
            if (last == null || e.end() > last.end()) last = e;
        }
    }
}
