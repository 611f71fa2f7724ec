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

    /**
     * Rows of {@code per} values of {@code base}, the row at {@code rows[k]} as row k, not copied: the
     * training part of a split, so that the examples are not held twice while they are split (a
     * copy of Fashion-MNIST's training images is 42 MB of a run's peak). What it gives out is
     * copied, as from the other kinds: its rows (for a batch), a range, the floats.
     */
    record Picked(Values base, int[] rows, int per) implements Values {
        public Picked {
            if (base instanceof Picked) throw new IllegalArgumentException("pick from the values picked from, not from a pick");
            if (per < 0 || (long) rows.length * per > Integer.MAX_VALUE) throw new IllegalArgumentException("rows of " + per + " values");
            long count = per == 0 ? Long.MAX_VALUE : base.length() / per;
            for (int r : rows) if (r < 0 || r >= count) throw new IndexOutOfBoundsException("row " + r + " of " + count);
        }

        public int length() { return rows.length * per; }

        public void copy(int from, float[] dst, int at, int count) {
            java.util.Objects.checkFromIndexSize(from, count, length());
            while (count > 0) {
                int k = from / per, offset = from % per, n = Math.min(count, per - offset);
                base.copy(rows[k] * per + offset, dst, at, n);
                from += n;
                at += n;
                count -= n;
            }
        }

        public Values range(int from, int to) {
            java.util.Objects.checkFromToIndex(from, to, length());
            if (per > 0 && from % per == 0 && to % per == 0) return base.rows(Arrays.copyOfRange(rows, from / per, to / per), per);
            return base.rows(rows, per).range(from, to);
        }

        public Values rows(int[] picked, int rowLength) {
            if (rowLength != per) return base.rows(rows, per).rows(picked, rowLength);
            int[] mapped = new int[picked.length];
            for (int k = 0; k < picked.length; k++) mapped[k] = rows[picked[k]];
            return base.rows(mapped, per);
        }

        public float[] floats() { return base.rows(rows, per).floats(); }
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
