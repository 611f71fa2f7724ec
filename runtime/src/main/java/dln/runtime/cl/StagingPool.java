package dln.runtime.cl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
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
        int best = -1;
        for (int i = 0; i < spare.size(); i++) {
            int capacity = spare.get(i).capacity();
            if (capacity >= bytes && (best < 0 || capacity < spare.get(best).capacity())) best = i;
        }
        if (best < 0) return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        return spare.remove(best).clear().limit(bytes);   // by index: ByteBuffer.equals compares contents
    }

    /** Returns a buffer the device has finished reading. */
    void give(ByteBuffer b) {
        if (spare.size() >= MOST) {
            int smallest = 0;
            for (int i = 1; i < spare.size(); i++) if (spare.get(i).capacity() < spare.get(smallest).capacity()) smallest = i;
            if (spare.get(smallest).capacity() >= b.capacity()) return;
            spare.remove(smallest);
        }
        spare.add(b);
    }
}
