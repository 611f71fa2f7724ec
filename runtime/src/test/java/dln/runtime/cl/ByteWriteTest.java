package dln.runtime.cl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dln.runtime.Backend;
import dln.runtime.Buffer;
import dln.runtime.jvm.JvmBackend;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bytes written with their table give the very floats the table holds, on the JVM (converted on the
 * host) and on OpenCL (sent as bytes and converted on the device): every byte value, counts that
 * leave a partial block of sixteen, a second table, a write from an offset, and float writes and
 * byte writes to the same buffer in turn, all queued without a wait between them.
 */
class ByteWriteTest {
    static float[] table(float scale, float shift) {
        float[] t = new float[256];
        for (int b = 0; b < 256; b++) t[b] = b * scale + shift;
        return t;
    }

    static void check(Backend backend) {
        Random r = new Random(3);
        byte[] all = new byte[1003];
        r.nextBytes(all);
        for (int b = 0; b < 256; b++) all[b] = (byte) b;
        float[] scaled = table(1 / 255f, 0), other = table(-0.5f, 3);
        Buffer buf = backend.allocate(1000);
        float[] got = new float[1000];
        for (int count : new int[] {1000, 17, 15, 256}) {
            for (float[] t : new float[][] {scaled, other}) {
                backend.write(buf, new float[1000]);
                backend.write(buf, all, 3, count, t);
                backend.read(buf, got);
                for (int i = 0; i < 1000; i++) {
                    float want = i < count ? t[all[3 + i] & 0xff] : 0f;
                    assertThat(got[i]).as("%s: value %d of %d", backend.description(), i, count).isEqualTo(want);
                }
            }
        }
        // queued in order with float writes: the last write wins, whichever kind it is
        backend.write(buf, all, 0, 1000, scaled);
        backend.write(buf, new float[] {7, 8}, 0, 2);
        backend.write(buf, all, 0, 1, other);
        backend.read(buf, got);
        assertThat(got[0]).isEqualTo(other[all[0] & 0xff]);
        assertThat(got[1]).isEqualTo(8f);
        assertThat(got[2]).isEqualTo(scaled[all[2] & 0xff]);
        assertThatThrownBy(() -> backend.write(buf, all, 0, 10, new float[10])).hasMessageContaining("256 entries");
    }

    @Test void theJvmConvertsOnTheHost() {
        check(new JvmBackend());
    }

    @Test void openClConvertsOnTheDevice() {
        assumeFalse("1".equals(System.getenv("DLN_SKIP_OPENCL")), "DLN_SKIP_OPENCL=1");
        try (Backend cl = new ClBackend(Devices.list().get(0))) {
            check(cl);
            assertThatThrownBy(() -> cl.write(cl.allocate(4), new byte[8], 0, 8, table(1, 0))).hasMessageContaining("do not fit");
        }
    }
}
