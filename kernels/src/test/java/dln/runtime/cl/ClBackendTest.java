package dln.runtime.cl;

import static org.assertj.core.api.Assertions.assertThat;

import dln.kernel.Axpy;
import dln.kernel.Dim;
import dln.runtime.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenCL backend's queue: writes that do not wait, and still arrive in order. */
class ClBackendTest {
    static ClBackend backend() {
        if ("1".equals(System.getenv("DLN_SKIP_OPENCL"))) return null;
        List<Devices.Device> devices = Devices.list();
        assertThat(devices).as("an OpenCL device (or DLN_SKIP_OPENCL=1)").isNotEmpty();
        return new ClBackend(devices.get(0));
    }

    // The work-group sizes come from the device: on this one (PoCL allows thousands, prefers a multiple
    // of its vector width), the products' 4 x 4 grow only to the preferred multiple, and a reduction
    // keeps its tree's 256, which the device's limits must allow.
    @Test void kernelsLaunchWithGroupsFittedToTheDevice() {
        ClBackend cl = backend();
        if (cl == null) return;
        try (cl) {
            dln.kernel.Gemm gemm = new dln.kernel.Gemm("t_group_gemm", false, true, Dim.batch(1), Dim.of(10), Dim.of(20), 20, 20, 10, 1, 0);
            dln.kernel.BatchNormForward reduce = new dln.kernel.BatchNormForward("t_group_bn", 2, 3, 0.1f, 1e-5f, true);
            dln.kernel.SliceCopy items = new dln.kernel.SliceCopy("t_group_copy", Dim.batch(3), 2, 3, 1, false);
            Axpy free = new Axpy("t_group_axpy", Dim.of(100), 1, 1);
            cl.compile(List.of(gemm, reduce, items, free));
            GroupSizes.Limits device = cl.limits();
            assertThat(device.total()).isPositive();
            assertThat(device.perDimension()).hasSizeGreaterThanOrEqualTo(2);
            long[] g = cl.local(gemm);
            assertThat(g[1]).isEqualTo(4);
            assertThat(g[0]).isIn(4L, 8L, 16L, 32L, 64L);
            assertThat(g[0] * g[1]).isLessThanOrEqualTo(device.total());
            assertThat(cl.local(reduce)).containsExactly(256);
            assertThat(cl.local(items)[0] % 64).isZero();
            assertThat(cl.local(free)).isNull();
        }
    }

    // 300 writes into one buffer, each followed by a launch that adds it to a sum, with no wait in
    // between: every launch must see its own write (a staging buffer reused too early, or a write
    // overtaking a launch, changes the sum), past the limit of queued writes (64) several times.
    @Test void queuedWritesArriveInOrderWithTheLaunches() {
        ClBackend cl = backend();
        if (cl == null) return;
        try (cl) {
            int n = 1000, writes = 300;
            Axpy add = new Axpy("t_queue_add", Dim.of(n), 1, 1);
            cl.compile(List.of(add));
            Buffer x = cl.allocate(n), sum = cl.allocate(n);
            float[] values = new float[n];
            for (int w = 0; w < writes; w++) {
                for (int i = 0; i < n; i++) values[i] = w + i;
                cl.write(x, values);      // the array is reused at once: the backend must have copied it
                cl.launch(add, 1, 0, x, sum);
            }
            float[] got = new float[n];
            cl.read(sum, got);
            for (int i = 0; i < n; i += 97) {
                assertThat(got[i]).as("element %d", i).isEqualTo((float) (writes * (writes - 1) / 2 + (long) writes * i));
            }
        }
    }

    @Test void aWriteTooLargeToStageStillArrives() {
        ClBackend cl = backend();
        if (cl == null) return;
        try (cl) {
            int n = (int) (ClBackend.STAGED_MOST / 4) + 1000;
            Buffer b = cl.allocate(n);
            float[] values = new float[n];
            for (int i = 0; i < n; i++) values[i] = i % 1000;
            cl.write(b, values);
            float[] got = new float[n];
            cl.read(b, got);
            assertThat(java.util.Arrays.equals(got, values)).as("the 17 MB write read back").isTrue();   // containsExactly is quadratic
        }
    }

    // Model.predict and trainStep move slices of the caller's arrays without copying them first:
    // a write takes `count` floats from `from`, a read fills `count` floats from `to`: staged (work
    // is queued), straight from the array (the queue is idle, or the write is too large to stage).
    @Test void writesAndReadsTakeSlicesOfTheHostArray() {
        ClBackend cl = backend();
        if (cl == null) return;
        try (cl) {
            Axpy touch = new Axpy("t_slices_busy", Dim.of(1), 1, 1);
            cl.compile(List.of(touch));
            Buffer scratch = cl.allocate(1);
            int[] sizes = {1000, 1000, (int) (ClBackend.STAGED_MOST / 4) + 1000};
            for (int c = 0; c < sizes.length; c++) {
                int n = sizes[c];
                float[] host = new float[n + 20];
                for (int i = 0; i < host.length; i++) host[i] = i;
                Buffer b = cl.allocate(n);
                cl.launch(touch, 1, 0, scratch, scratch);   // queued work: the first write of 1000 is staged
                if (c == 1) cl.finish();   // the second: idle, straight from the array
                cl.write(b, host, 7, n);
                float[] got = new float[n + 10];
                java.util.Arrays.fill(got, -1);
                cl.read(b, got, 3, n);
                assertThat(got[0]).isEqualTo(-1f);
                assertThat(got[2]).isEqualTo(-1f);
                assertThat(got[3]).as("the first value written").isEqualTo(7f);
                assertThat(got[n + 2]).as("the last value written").isEqualTo((float) (n + 6));
                assertThat(got[n + 3]).isEqualTo(-1f);
            }
        }
    }

    // Two models on one device may both have a kernel of the same name with different constants
    // (each model's dense_1_fwd): each launch runs its own model's kernel, from its own program.
    @Test void kernelsOfTheSameNameFromTwoProgramsStayApart() {
        ClBackend cl = backend();
        if (cl == null) return;
        try (cl) {
            Axpy twice = new Axpy("t_same_name", Dim.of(4), 2, 0), thrice = new Axpy("t_same_name", Dim.of(4), 3, 0);
            cl.compile(List.of(twice));
            cl.compile(List.of(thrice));
            Buffer x = cl.allocate(4), y = cl.allocate(4);
            cl.write(x, new float[] {1, 2, 3, 4});
            float[] got = new float[4];
            cl.launch(twice, 1, 0, x, y);
            cl.read(y, got);
            assertThat(got).containsExactly(2, 4, 6, 8);
            cl.launch(thrice, 1, 0, x, y);
            cl.read(y, got);
            assertThat(got).containsExactly(3, 6, 9, 12);
        }
    }

    @Test void aProgramWithoutTheKernelSaysWhichIsMissing() {
        ClBackend cl = backend();
        if (cl == null) return;
        try (cl) {
            Axpy k = new Axpy("t_not_in_program", Dim.of(4), 1, 0);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> cl.compile(() -> "__kernel void other(__global float* y) { y[0] = 1; }", List.of(k)))
                    .hasMessageContaining("has no kernel t_not_in_program");
        }
    }
}
