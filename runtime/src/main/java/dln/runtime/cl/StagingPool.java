package dln.runtime.cl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The direct buffers that queued writes stage their data in, kept for reuse once the device has
 * read them. At most {@link #MOST} are kept, the smallest dropped first: a training step leaves
 * several small ones (targets, the rate) and a prediction batch needs one large one, which must not
 * be lost to them (it was: a new 800 KB buffer for every fashion_mlp prediction batch held PoCL's
 * predictions to a third of their speed).
 */
final class StagingPool {
    static final int MOST = 8;
    private final List<ByteBuffer> spare = new ArrayList<>();

    /** A buffer of at least {@code bytes}, limited to {@code bytes}: the smallest kept one that fits, else a new one. */
    ByteBuffer take(int bytes) {
        ByteBuffer best = null;
        for (ByteBuffer b : spare) if (b.capacity() >= bytes && (best == null || b.capacity() < best.capacity())) best = b;
        if (best == null) return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        spare.remove(best);
        return best.clear().limit(bytes);
    }

    /** Returns a buffer the device has finished reading. */
    void give(ByteBuffer b) {
        if (spare.size() >= MOST) {
            ByteBuffer smallest = spare.stream().min(Comparator.comparingInt(ByteBuffer::capacity)).orElseThrow();
            if (smallest.capacity() >= b.capacity()) return;
            spare.remove(smallest);
        }
        spare.add(b);
    }
}
