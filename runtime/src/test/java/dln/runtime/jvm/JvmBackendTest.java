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
}
