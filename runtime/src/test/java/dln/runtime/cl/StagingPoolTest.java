package dln.runtime.cl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class StagingPoolTest {
    // What a training step followed by predictions does: many small buffers come back, then a large
    // one; the large one must be reused, not allocated anew for every prediction batch.
    @Test void aLargeBufferIsKeptAfterManySmallOnes() {
        StagingPool pool = new StagingPool();
        for (int i = 0; i < 3 * StagingPool.MOST; i++) pool.give(ByteBuffer.allocateDirect(256));
        ByteBuffer large = ByteBuffer.allocateDirect(800_000);
        pool.give(large);
        assertThat(pool.take(700_000)).isSameAs(large);
    }

    @Test void takesTheSmallestThatFitsLimitedToTheRequest() {
        StagingPool pool = new StagingPool();
        ByteBuffer small = ByteBuffer.allocateDirect(100), middle = ByteBuffer.allocateDirect(1000), large = ByteBuffer.allocateDirect(10_000);
        pool.give(large);
        pool.give(small);
        pool.give(middle);
        ByteBuffer got = pool.take(500);
        assertThat(got).isSameAs(middle);
        assertThat(got.position()).isZero();
        assertThat(got.limit()).isEqualTo(500);
        assertThat(pool.take(20_000).capacity()).as("nothing fits: a new buffer").isEqualTo(20_000);
    }

    @Test void aFullPoolKeepsTheLargest() {
        StagingPool pool = new StagingPool();
        for (int i = 0; i < StagingPool.MOST; i++) pool.give(ByteBuffer.allocateDirect(1000 + i));
        ByteBuffer tiny = ByteBuffer.allocateDirect(10);
        pool.give(tiny);
        assertThat(pool.take(1)).as("the tiny one was not kept").isNotSameAs(tiny).extracting(ByteBuffer::capacity).isEqualTo(1000);
    }

    // ByteBuffer.equals compares contents: two spare buffers of equal contents are still two buffers,
    // and the one handed out must leave the pool (a pool that removed "an equal one" handed the same
    // buffer to two queued writes, which then overwrote each other).
    @Test void aBufferHandedOutLeavesThePool() {
        StagingPool pool = new StagingPool();
        ByteBuffer large = ByteBuffer.allocateDirect(64).limit(4), small = ByteBuffer.allocateDirect(4);   // equal: same 4 zero bytes
        pool.give(large);
        pool.give(small);
        assertThat(pool.take(4)).isSameAs(small);
        assertThat(pool.take(4)).isSameAs(large);
        ByteBuffer fresh = pool.take(4);
        assertThat(fresh).isNotSameAs(small).isNotSameAs(large);
    }
}
