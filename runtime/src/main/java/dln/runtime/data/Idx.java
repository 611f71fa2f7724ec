package dln.runtime.data;

import dln.runtime.io.DataException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Images and labels in the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
 * a magic number (two zero bytes, the element type, the number of dimensions), each dimension as a
 * big-endian 32-bit count, then the values, big-endian, in row-major order. Gzipped files are read
 * as they are; they are recognised by gzip's magic bytes, not by their name. Byte offsets in errors
 * count the decompressed bytes.
 */
public final class Idx {
    private static final int CHUNK = 1 << 16;
    private static final long MAX_VALUES = Integer.MAX_VALUE - 8;
    /** Deflate's largest ratio: gzip data inflates to at most this many times its own size. */
    private static final long MAX_INFLATION = 1032;

    private Idx() {}

    /** The element types of IDX, by the code in the third byte of the magic number. */
    private enum Type {
        UBYTE(0x08, 1, true), BYTE(0x09, 1, true), SHORT(0x0B, 2, true), INT(0x0C, 4, true), FLOAT(0x0D, 4, false),
        DOUBLE(0x0E, 8, false);

        final int code, size;
        final boolean integer;

        Type(int code, int size, boolean integer) {
            this.code = code;
            this.size = size;
            this.integer = integer;
        }

        static Type of(int code) {
            for (Type t : values()) if (t.code == code) return t;
            return null;
        }

        double get(ByteBuffer b) {
            return switch (this) {
                case UBYTE -> b.get() & 0xff;
                case BYTE -> b.get();
                case SHORT -> b.getShort();
                case INT -> b.getInt();
                case FLOAT -> b.getFloat();
                case DOUBLE -> b.getDouble();
            };
        }
    }

    /**
     * Reads images [n, rows, cols] (or any [n, ...]) and their n labels. Each image is given
     * {@code inputShape}, which may be any shape with as many values ([1, rows, cols] or
     * [rows * cols]), or the file's own [rows, cols] when {@code inputShape} is null. Pixels are
     * multiplied by {@code scale}. Without a labels file ({@code labels} null) the examples have no
     * targets (width 0): a train block that says `targets inputs` makes the images their own.
     */
    public static Dataset read(Path images, Path labels, double scale, long[] inputShape) {
        if (labels == null) {
            try (IdxFile x = new IdxFile(images)) {
                long[] shape = shape(x, inputShape);
                return new Dataset(shape, inputs(x, scale), (int) x.dims[0], 0, new float[0], false, i -> images + ": image " + i);
            }
        }
        try (IdxFile x = new IdxFile(images); IdxFile y = new IdxFile(labels)) {
            long[] shape = shape(x, inputShape);
            if (y.dims.length != 1) {
                throw y.error(3, "a labels file has one dimension, [count], but this one has shape " + Arrays.toString(y.dims)
                        + (y.dims.length > 1 ? "; is this an images file?" : ""));
            }
            if (y.dims[0] != x.dims[0]) {
                throw y.error(4, "the file holds " + y.dims[0] + " labels, but " + images + " holds " + x.dims[0] + " images");
            }
            Values inputs = inputs(x, scale);
            float[] targets = y.values("labels", 1);
            y.checkWhole(targets);
            long at = y.dataStart, size = y.type.size;
            return new Dataset(shape, inputs, (int) x.dims[0], 1, targets, true, i -> labels + ": byte " + (at + i * size));
        }
    }

    /** The model's input shape for each image, which must hold as many values as the file's images. */
    private static long[] shape(IdxFile x, long[] inputShape) {
        long[] imageShape = Arrays.copyOfRange(x.dims, 1, x.dims.length);
        long[] shape = inputShape == null ? imageShape : inputShape.clone();
        if (Dataset.size(imageShape) != Dataset.size(shape)) {
            throw x.error(8, "each image has shape " + Dataset.show(imageShape) + ", which does not fit the model's input shape "
                    + Dataset.show(shape) + (x.dims.length == 1 ? "; is this a labels file?" : ""));
        }
        return shape;
    }

    private static Values inputs(IdxFile x, double scale) {
        return x.type == Type.UBYTE ? x.bytes("images", scale) : new Values.Floats(x.values("images", scale));
    }

    /** One IDX file, open, its header read; reads the values on demand. */
    private static final class IdxFile implements AutoCloseable {
        final Path path;
        final DataFiles.Opened opened;
        final InputStream in;
        final boolean gzip;
        final Type type;
        final long[] dims;
        final long dataStart;
        final long count;
        /** How many (decompressed) bytes have been read. */
        long position;

        IdxFile(Path path) {
            this.path = path;
            this.opened = DataFiles.open(path);
            this.in = opened.in();
            this.gzip = opened.gzip();
            try {
                byte[] magic = header(4, "the 4-byte magic number");
                this.type = Type.of(magic[2] & 0xff);
                if (magic[0] != 0 || magic[1] != 0 || type == null || magic[3] == 0) throw badMagic(magic);
                this.dims = new long[magic[3] & 0xff];
                ByteBuffer header = ByteBuffer.wrap(header(4 * dims.length, "the " + dims.length + " dimensions"));
                for (int i = 0; i < dims.length; i++) dims[i] = header.getInt() & 0xffffffffL;
                this.dataStart = 4 + 4L * dims.length;
                this.count = count();
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private DataException badMagic(byte[] magic) {
            String found = String.format("%02x %02x %02x %02x", magic[0], magic[1], magic[2], magic[3]);
            String expected = "an IDX magic number: 00 00, the element type (08 ubyte, 09 byte, 0b short, 0c int, 0d float,"
                    + " 0e double), the number of dimensions (00 00 08 03 for images, 00 00 08 01 for labels)";
            if (magic[0] == 0 && magic[1] == 0 && type != null) return error(3, "the file has 0 dimensions; expected " + expected);
            if (magic[0] == 0 && magic[1] == 0) return error(2, "unknown element type " + found.substring(6, 8) + "; expected " + expected);
            return error(0, "expected " + expected + ", found " + found + " (is this an IDX file?)");
        }

        private long count() {
            long n = 1;
            if (dims[0] > MAX_VALUES) throw error(4, "the file claims " + dims[0] + " examples, more than one Java array can hold");
            for (long d : dims) {
                n *= d;
                if (n > MAX_VALUES) throw error(4, "shape " + Arrays.toString(dims) + " has more values than one Java array can hold");
            }
            return n;
        }

        /**
         * A value that is NaN or infinite as a float32 ({@link Finite}), at its byte offset, with the
         * example and the value's index in it, counting from 0.
         */
        private DataException notFinite(String what, long flat, float v, double scale) {
            long per = count / Math.max(1, dims[0]);
            return error(dataStart + flat * type.size, what.substring(0, what.length() - 1) + " " + flat / per + ", value " + flat % per
                    + ": " + Finite.describe(v) + (scale != 1 ? " (times the scale " + scale + ")" : "") + "; the data must be finite numbers");
        }

        /** Reads all values, each converted to float after multiplying by {@code scale}; every one must be finite. */
        float[] values(String what, double scale) {
            checkRoom(what);
            float[] out = new float[(int) count];
            byte[] chunk = new byte[CHUNK - CHUNK % type.size];
            for (int done = 0; done < count; ) {
                int n = (int) Math.min(count - done, chunk.length / type.size);
                if (read(chunk, n * type.size) < n * type.size) throw truncated(what);
                ByteBuffer b = ByteBuffer.wrap(chunk);
                for (int i = 0; i < n; i++) {
                    float v = (float) (type.get(b) * scale);
                    if (!Float.isFinite(v)) throw notFinite(what, done + i, v, scale);
                    out[done + i] = v;
                }
                done += n;
            }
            expectEnd();
            return out;
        }

        /**
         * Unsigned bytes kept as bytes, each standing for the float {@link #values} would have made of
         * it, (float) (b · scale): a quarter of the memory, the same numbers.
         */
        Values.Bytes bytes(String what, double scale) {
            checkRoom(what);
            byte[] out = new byte[(int) count];
            if (read(out, out.length) < out.length) throw truncated(what);
            expectEnd();
            float[] table = new float[256];
            for (int b = 0; b < 256; b++) table[b] = (float) (b * scale);
            for (int b = 0; b < 256; b++) {
                if (!Float.isFinite(table[b])) {
                    throw error(dataStart, "the scale " + scale + " makes a byte of " + b + " beyond " + Finite.RANGE + "; the data must be finite numbers");
                }
            }
            return new Values.Bytes(out, table);
        }

        /**
         * A shape that promises more data than the file can hold is refused before the values' array
         * is allocated: a corrupt dimension would otherwise claim gigabytes. The file is read to its
         * end first, so that the message says how much data there is.
         */
        private void checkRoom(String what) {
            long room;
            try {
                room = Files.size(path);
            } catch (IOException e) {
                throw DataFiles.unreadable(path, e);
            }
            room = gzip ? room * MAX_INFLATION : room - dataStart;
            if (count * type.size <= room) return;
            byte[] chunk = new byte[CHUNK];
            while (read(chunk, chunk.length) > 0) {
                // only counting the bytes
            }
            throw truncated(what);
        }

        /** The data must end the file. */
        private void expectEnd() {
            byte[] chunk = new byte[CHUNK];
            long end = position, extra = 0;
            for (int r; (r = read(chunk, chunk.length)) > 0; ) extra += r;
            if (extra > 0) {
                throw error(end, extra + " more bytes follow the " + count + " values of shape " + Arrays.toString(dims)
                        + "; expected the end of the file" + decompressed());
            }
        }

        /** Labels must be whole numbers, which only the float types can fail. */
        void checkWhole(float[] labels) {
            if (type.integer) return;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] != Math.rint(labels[i])) {
                    throw error(dataStart + (long) i * type.size, "label " + labels[i] + " is not a whole number; labels are class indices");
                }
            }
        }

        private DataException truncated(String what) {
            long have = position - dataStart, need = count * type.size, per = need / Math.max(1, dims[0]);
            boolean corrupt = opened.damage() != null && !(opened.damage() instanceof EOFException);
            return error(position, (corrupt ? "the data goes bad after " : "the file ends after ") + have + " of the " + need
                    + " bytes of data that its shape " + Arrays.toString(dims) + " promises (" + (per == 0 ? 0 : have / per)
                    + " of " + dims[0] + " " + what + " complete); "
                    + (corrupt ? "the gzip data is " + opened.gunzip().problem() : "is it truncated?") + decompressed());
        }

        private byte[] header(int n, String what) {
            byte[] b = new byte[n];
            if (read(b, n) < n) throw error(position, "the file ends after " + position + " bytes, inside " + what);
            return b;
        }

        /** Reads up to {@code n} bytes; fewer only at the end of the file. */
        private int read(byte[] b, int n) {
            int got = 0;
            try {
                for (int r; got < n && (r = in.read(b, got, n - got)) >= 0; ) {
                    got += r;
                    position += r;
                }
            } catch (IOException e) { // only a plain file: gzip data that goes bad just ends
                throw DataFiles.unreadable(path, e);
            }
            return got;
        }

        /** An error at a byte offset; in a gzipped file, offsets count the decompressed bytes. */
        DataException error(long offset, String message) {
            return new DataException(path, offset, message);
        }

        /** Where sizes are compared with the file's, a reminder that they are not the gzipped sizes. */
        private String decompressed() {
            return gzip ? " (bytes of the decompressed data)" : "";
        }

        @Override public void close() { DataFiles.close(in); }
    }
}
