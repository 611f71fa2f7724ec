package dln.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * A thread's scratch for element-wise loops, a block at a time: those that decide per element by a
 * float's bits (a dropout's mask, relu's derivative) and a product's epilogue (a row and its bias).
 * JDK 17's JIT vectorizes int and float arithmetic over arrays, but not a select, not a step between
 * an int and a float (a conversion, Float.intBitsToFloat, floatToRawIntBits), not the loop counter
 * used as a value, and not a loop over two float arrays at different offsets (they may be one
 * array); and a branch on random data mispredicts. So every loop here reads and writes its arrays at
 * one index (the block's data copied in and out with System.arraycopy), indices come from
 * {@link #INDEX}, and floats and ints meet through a ByteBuffer's two views, whose bulk copies are
 * memory copies, so that a decision is an AND of bits. A dropout over 16,384 elements took 57-82 µs
 * on one core as a select and 6-7 µs this way, the same bits (DropoutTest, BiasActTest, GemmTest).
 *
 * <p>The arrays serve one loop at a time: no method that fills them calls another that uses them.
 */
final class Bits {
    static final int BLOCK = 2048;
    /** 0, 1, …, BLOCK − 1: an index the JIT can vectorize over (it does not vectorize the loop counter as a value). */
    static final int[] INDEX = java.util.stream.IntStream.range(0, BLOCK).toArray();
    private static final ThreadLocal<Bits> LOCAL = ThreadLocal.withInitial(Bits::new);

    final int[] ints = new int[BLOCK], mask = new int[BLOCK];
    final float[] floats = new float[BLOCK];
    /** A row of a product's block and its bias ({@link Epilogue#apply}), or a block of dy (relu's derivative). */
    final float[] row = new float[BLOCK], rowBias = new float[BLOCK];
    private final ByteBuffer bytes = ByteBuffer.allocate(4 * BLOCK).order(ByteOrder.nativeOrder());
    private final IntBuffer asInts = bytes.asIntBuffer();
    private final FloatBuffer asFloats = bytes.asFloatBuffer();

    private Bits() {}

    static Bits local() { return LOCAL.get(); }

    /** ints[0, n) = the bits of src[from, from + n). */
    void toInts(float[] src, int from, int n) {
        asFloats.put(0, src, from, n);
        asInts.get(0, ints, 0, n);
    }

    /** dst[to, to + n) = the floats whose bits are ints[0, n). */
    void toFloats(float[] dst, int to, int n) {
        asInts.put(0, ints, 0, n);
        asFloats.get(0, dst, to, n);
    }
}
