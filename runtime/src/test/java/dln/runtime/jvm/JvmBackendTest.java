package dln.runtime.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import dln.runtime.Buffer;
import org.junit.jupiter.api.Test;

class JvmBackendTest {
    @Test void writesAndReadsTakeSlicesOfTheHostArray() {
        JvmBackend jvm = new JvmBackend();
        float[] host = {0, 1, 2, 3, 4, 5};
        Buffer b = jvm.allocate(3);
        jvm.write(b, host, 2, 3);
        float[] got = {-1, -1, -1, -1, -1};
        jvm.read(b, got, 1, 3);
        assertThat(got).containsExactly(-1, 2, 3, 4, -1);
    }

    /** Bytes become their table's values at every position, converted in parts from SHARED_BYTES on, from any offset. */
    @Test void bytesBecomeTheirTablesValuesSmallOrShared() {
        JvmBackend jvm = new JvmBackend();
        float[] table = new float[256];
        for (int b = 0; b < 256; b++) table[b] = (float) (b / 255.0) - 0.5f;
        int n = JvmBackend.SHARED_BYTES * 3 + 7;
        byte[] src = new byte[n + 11];
        new java.util.Random(3).nextBytes(src);
        for (int count : new int[] {5, JvmBackend.SHARED_BYTES - 1, n}) {
            Buffer b = jvm.allocate(count);
            jvm.write(b, src, 11, count, table);
            float[] got = new float[count];
            jvm.read(b, got, 0, count);
            for (int i = 0; i < count; i++) {
                if (got[i] != table[src[11 + i] & 0xff]) throw new AssertionError("count " + count + ", element " + i + ": " + got[i]);
            }
        }
    }
}
