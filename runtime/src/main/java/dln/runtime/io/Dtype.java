package dln.runtime.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * The element types of the array files, named as safetensors names them, each with its width in
 * bytes and its conversion to float. Values are read in chunks, so no byte array as large as the
 * data is ever needed.
 */
enum Dtype {
    BOOL(1, true, b -> b.get() != 0 ? 1 : 0),
    I8(1, true, ByteBuffer::get),
    U8(1, true, b -> b.get() & 0xff),
    I16(2, true, ByteBuffer::getShort),
    U16(2, true, b -> b.getShort() & 0xffff),
    I32(4, true, ByteBuffer::getInt),
    U32(4, true, b -> b.getInt() & 0xffffffffL),
    I64(8, true, ByteBuffer::getLong),
    U64(8, true, b -> unsigned(b.getLong())),
    F16(2, false, b -> half(b.getShort())),
    BF16(2, false, b -> Float.intBitsToFloat(b.getShort() << 16)),
    F32(4, false, ByteBuffer::getFloat),
    F64(8, false, b -> (float) b.getDouble());

    /** Reads one value and converts it to float, rounding once. */
    private interface Get {
        float from(ByteBuffer b);
    }

    private static final int CHUNK = 1 << 16;

    final int size;
    final boolean integer;
    private final Get get;

    Dtype(int size, boolean integer, Get get) {
        this.size = size;
        this.integer = integer;
        this.get = get;
    }

    /** Reads {@code count} values that start at byte {@code at} of the file, converting each to float. */
    float[] read(FileChannel channel, long at, int count, ByteOrder order) throws IOException {
        float[] out = new float[count];
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(order);
        for (int done = 0; done < count; ) {
            int n = Math.min(count - done, CHUNK / size);
            buf.clear().limit(n * size);
            readFully(channel, buf, at + (long) done * size);
            buf.flip();
            if (this == F32) {
                buf.asFloatBuffer().get(out, done, n); // keeps every bit, NaN payloads included
            } else {
                for (int i = done; i < done + n; i++) out[i] = get.from(buf);
            }
            done += n;
        }
        return out;
    }

    /** Reads {@code n} bytes that start at byte {@code at} of the file, ready to get. */
    static ByteBuffer bytes(FileChannel channel, long at, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        readFully(channel, buf, at);
        return buf.flip();
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long at) throws IOException {
        while (buf.hasRemaining()) {
            int n = channel.read(buf, at);
            if (n < 0) throw new EOFException("the file became shorter while it was read");
            at += n;
        }
    }

    /** Writes floats as little-endian float32, bit for bit. */
    static void writeF32(OutputStream out, float[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; i++) {
            buf.putInt(Float.floatToRawIntBits(data[i]));
            if (!buf.hasRemaining()) flush(out, buf);
        }
        flush(out, buf);
    }

    /** Writes ints as little-endian int32. */
    static void writeI32(OutputStream out, int[] data) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; i++) {
            buf.putInt(data[i]);
            if (!buf.hasRemaining()) flush(out, buf);
        }
        flush(out, buf);
    }

    private static void flush(OutputStream out, ByteBuffer buf) throws IOException {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
    }

    /** IEEE 754 half precision to float, exactly (every half is a float). */
    static float half(short bits) {
        int sign = (bits & 0x8000) << 16, exponent = (bits >>> 10) & 0x1f, mantissa = bits & 0x3ff;
        if (exponent == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | mantissa << 13);
        if (exponent != 0) return Float.intBitsToFloat(sign | (exponent + 127 - 15) << 23 | mantissa << 13);
        float subnormal = mantissa * 0x1p-24f;
        return sign == 0 ? subnormal : -subnormal;
    }

    /** An unsigned 64-bit integer rounded to the nearest float. */
    private static float unsigned(long v) {
        if (v >= 0) return v;
        // Halve with the lost bit kept sticky so the rounding to float stays correct, then double.
        return ((v >>> 1) | (v & 1)) * 2f;
    }
}
