package dln.net;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The shape of one example (the batch dimension is implicit and never stored). Sizes are 64-bit and
 * every product is checked: a model too large for 64 bits fails with an ArithmeticException, which
 * the shape checker reports, instead of overflowing silently.
 */
public final class Shape {
    private final long[] dims;

    private Shape(long[] dims) {
        this.dims = dims;
    }

    public static Shape of(long... dims) {
        return new Shape(dims.clone());
    }

    public static Shape of(List<Long> dims) {
        return new Shape(dims.stream().mapToLong(Long::longValue).toArray());
    }

    public int rank() { return dims.length; }

    public long dim(int axis) { return dims[axis]; }

    public long[] dims() { return dims.clone(); }

    /** Number of elements, checked. */
    public long size() {
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    /** The trailing dimensions from {@code axis} on. */
    public Shape drop(int axis) {
        return new Shape(Arrays.copyOfRange(dims, axis, dims.length));
    }

    /** This shape with {@code dim} appended. */
    public Shape append(long dim) {
        long[] out = Arrays.copyOf(dims, dims.length + 1);
        out[dims.length] = dim;
        return new Shape(out);
    }

    /** {@code first} followed by this shape's dimensions (channels in front of spatial sizes). */
    public Shape withFirst(long first) {
        long[] out = new long[dims.length + 1];
        out[0] = first;
        System.arraycopy(dims, 0, out, 1, dims.length);
        return new Shape(out);
    }

    /** This shape with axis {@code axis} replaced. */
    public Shape with(int axis, long dim) {
        long[] out = dims.clone();
        out[axis] = dim;
        return new Shape(out);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override public int hashCode() { return Arrays.hashCode(dims); }

    /** `[16, 5, 5]`, as shapes are written in .dln files. */
    @Override public String toString() {
        return Arrays.stream(dims).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    /** `[1, 2], [3] and [4]`: shapes listed in a message. */
    public static String listed(List<Shape> shapes) {
        List<String> names = shapes.stream().map(Shape::toString).toList();
        if (names.size() == 1) return names.get(0);
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }
}
