package dln.runtime.data;

import java.util.Arrays;

/**
 * A dataset's input values, in the precision of their source: floats, or bytes together with the
 * float that each byte value stands for (an IDX file's pixels: a quarter of the memory, and a
 * training batch gets the very floats that converting the whole file would have given).
 */
public sealed interface Values {

    /** The number of values. */
    int length();

    /** Copies values {@code [from, from + count)} into {@code dst} from index {@code at}. */
    void copy(int from, float[] dst, int at, int count);

    /** Values {@code [from, to)}, copied. */
    Values range(int from, int to);

    /** The rows of {@code per} values at {@code rows}, in that order, copied (repeats allowed). */
    Values rows(int[] rows, int per);

    /** Every value as a float: the array itself when the values are floats, else a new one. */
    float[] floats();

    /** Values held as floats. */
    record Floats(float[] data) implements Values {
        public int length() { return data.length; }

        public void copy(int from, float[] dst, int at, int count) { System.arraycopy(data, from, dst, at, count); }

        public Values range(int from, int to) { return new Floats(Arrays.copyOfRange(data, from, to)); }

        public Values rows(int[] rows, int per) {
            float[] out = new float[rows.length * per];
            for (int k = 0; k < rows.length; k++) System.arraycopy(data, rows[k] * per, out, k * per, per);
            return new Floats(out);
        }

        public float[] floats() { return data; }
    }

    /** Values held as bytes: byte b stands for {@code table[b & 0xff]}. */
    record Bytes(byte[] data, float[] table) implements Values {
        public Bytes {
            if (table.length != 256) throw new IllegalArgumentException("a byte table has 256 entries, not " + table.length);
        }

        public int length() { return data.length; }

        public void copy(int from, float[] dst, int at, int count) {
            for (int i = 0; i < count; i++) dst[at + i] = table[data[from + i] & 0xff];
        }

        public Values range(int from, int to) { return new Bytes(Arrays.copyOfRange(data, from, to), table); }

        public Values rows(int[] rows, int per) {
            byte[] out = new byte[rows.length * per];
            for (int k = 0; k < rows.length; k++) System.arraycopy(data, rows[k] * per, out, k * per, per);
            return new Bytes(out, table);
        }

        public float[] floats() {
            float[] out = new float[data.length];
            copy(0, out, 0, data.length);
            return out;
        }
    }
}
