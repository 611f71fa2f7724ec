package dln.runtime.cl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dln.kernel.Dim;
import dln.kernel.Gemm;
import dln.kernel.BatchNormForward;
import dln.kernel.SliceCopy;
import dln.runtime.kernel.Kernel;
import dln.runtime.kernel.Program;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Work-group sizes fitted to a device's limits, on made-up devices smaller than any here. */
class GroupSizesTest {
    private static final long[] LARGE = {1024, 1024, 64};

    private static GroupSizes.Limits limits(long[] perDimension, long total, long multiple) {
        return new GroupSizes.Limits(perDimension, total, multiple, 32 << 10, 1 << 10);
    }

    private static long[] fit(long[] requested, boolean bound, GroupSizes.Limits limits) {
        return GroupSizes.fit("k", "a small device", requested, bound, limits);
    }

    @Test void aSizeWithinTheLimitsStaysAsItIs() {
        assertThat(fit(new long[] {4, 4}, false, limits(LARGE, 256, 8))).containsExactly(4, 4);
        assertThat(fit(new long[] {64}, false, limits(LARGE, 256, 1))).containsExactly(64);
        assertThat(fit(null, false, limits(LARGE, 256, 1))).isNull();
    }

    @Test void aFreeSizeShrinksToTheDevicesTotalHalvingItsLargestDimension() {
        assertThat(fit(new long[] {4, 4}, false, limits(LARGE, 8, 1))).containsExactly(2, 4);
        assertThat(fit(new long[] {4, 4, 1}, false, limits(LARGE, 2, 1))).containsExactly(1, 2, 1);
        assertThat(fit(new long[] {64}, false, limits(LARGE, 48, 1))).containsExactly(32);
        assertThat(fit(new long[] {96}, false, limits(LARGE, 40, 1))).containsExactly(24);
    }

    @Test void aFreeSizeShrinksToEachDimensionsLimit() {
        assertThat(fit(new long[] {4, 4}, false, limits(new long[] {2, 1024, 1024}, 256, 1))).containsExactly(2, 4);
        assertThat(fit(new long[] {64}, false, limits(new long[] {16}, 256, 1))).containsExactly(16);
        // a dimension the device does not have counts as 1
        assertThat(fit(new long[] {4, 4, 2}, false, limits(new long[] {8, 8}, 256, 1))).containsExactly(4, 4, 1);
    }

    @Test void aFreeSizeGrowsToThePreferredMultipleWhereTheLimitsAllow() {
        // a GPU with warps of 32: 4 x 4 would leave half of each warp idle
        assertThat(fit(new long[] {4, 4}, false, limits(LARGE, 1024, 32))).containsExactly(8, 4);
        assertThat(fit(new long[] {64}, false, limits(LARGE, 1024, 64))).containsExactly(64);
        // not past the total, nor past the first dimension's limit
        assertThat(fit(new long[] {4, 4}, false, limits(LARGE, 16, 32))).containsExactly(4, 4);
        assertThat(fit(new long[] {4, 4}, false, limits(new long[] {4, 1024}, 1024, 32))).containsExactly(4, 4);
    }

    @Test void aBoundSizeIsKeptOrTheDeviceIsRefusedBeforeAnyLaunch() {
        assertThat(fit(new long[] {256}, true, limits(LARGE, 256, 32))).containsExactly(256);
        assertThatThrownBy(() -> fit(new long[] {256}, true, limits(LARGE, 128, 32))).isInstanceOf(DeviceTooSmall.class)
                .hasMessageContaining("kernel k needs work-groups of 256 work-items; a small device allows at most 128");
        assertThatThrownBy(() -> fit(new long[] {4, 4}, true, limits(new long[] {2, 64}, 256, 1))).isInstanceOf(DeviceTooSmall.class)
                .hasMessageContaining("4 x 4").hasMessageContaining("2 x 64 per dimension");
    }

    // A reduction's group: 256 where allowed, else the largest power of two the device's group, its
    // first dimension and its local memory (which the group's size scales) allow.
    @Test void aReductionsGroupIsTheLargestPowerOfTwoTheDeviceAllows() {
        assertThat(GroupSizes.reduction(limits(LARGE, 1024, 32), 256)).isEqualTo(256);
        assertThat(GroupSizes.reduction(limits(LARGE, 256, 32), 256)).isEqualTo(256);
        assertThat(GroupSizes.reduction(limits(LARGE, 200, 32), 256)).isEqualTo(128);
        assertThat(GroupSizes.reduction(limits(new long[] {32, 1024}, 1024, 32), 256)).isEqualTo(32);
        assertThat(GroupSizes.reduction(limits(LARGE, 1, 1), 256)).isEqualTo(1);
        // 2 KB of local memory for groups of 256 where the device has 600 bytes: 64 (512 bytes)
        assertThat(GroupSizes.reduction(new GroupSizes.Limits(LARGE, 1024, 1, 600, 2048), 256)).isEqualTo(64);
        // measured for a program built with 64 already
        assertThat(GroupSizes.reduction(limits(LARGE, 40, 1), 64)).isEqualTo(32);
        assertThat(GroupSizes.reduces("for (int e = lid; e < n; e += DLN_REDUCE) {")).isTrue();
        assertThat(GroupSizes.reduces("barrier(CLK_LOCAL_MEM_FENCE);")).isFalse();
    }

    @Test void aKernelTakingMoreLocalMemoryThanTheDeviceHasIsRefused() {
        GroupSizes.Limits small = new GroupSizes.Limits(LARGE, 256, 1, 1024, 2048);
        assertThatThrownBy(() -> fit(new long[] {256}, true, small)).isInstanceOf(DeviceTooSmall.class)
                .hasMessageContaining("takes 2048 bytes of local memory; a small device has 1024");
    }

    @Test void aKernelIsBoundToItsGroupWhenItsSourceSynchronizesOrAsksForItsGroup() {
        assertThat(GroupSizes.bound(source(new Gemm("g", false, true, Dim.batch(1), Dim.of(10), Dim.of(20), 20, 20, 10, 1, 0)))).isFalse();
        assertThat(GroupSizes.bound(source(new Gemm("g", false, false, Dim.batch(1), Dim.of(40), Dim.of(20), 20, 40, 40, 1, 0)))).isFalse();
        assertThat(GroupSizes.bound(source(new SliceCopy("s", Dim.batch(3), 2, 3, 1, false)))).isFalse();
        assertThat(GroupSizes.bound(source(new BatchNormForward("bn", 2, 3, 0.1f, 1e-5f, true)))).isTrue();
        assertThat(GroupSizes.bound("__kernel void k(__global float* x) { __local float s[4]; }")).isTrue();
        assertThat(GroupSizes.bound("__kernel void k(__global float* x) { x[get_group_id(0)] = 0; }")).isTrue();
        assertThat(GroupSizes.bound("__attribute__((reqd_work_group_size(4, 4, 1))) __kernel void k(__global float* x) {}")).isTrue();
        assertThat(GroupSizes.bound("__kernel void k(__global float* local_x) { local_x[get_global_id(0)] = 0; }")).isFalse();
    }

    private static String source(Kernel k) { return Program.source("t", List.of(k)); }
}
