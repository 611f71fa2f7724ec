package dln.runtime.cl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SignalChainingTest {
    static final Devices.Device POCL = new Devices.Device(0, null, null, "Portable Computing Language", "cpu-haswell", false, 2, 1L << 30, "3.1");
    static final Devices.Device GPU = new Devices.Device(0, null, null, "NVIDIA CUDA", "NVIDIA H100", true, 132, 80L << 30, "550.54");

    // The parent pom preloads libjsig into every test fork where the JDK has one: without it, the
    // OpenCL tests on PoCL crash the fork now and then (CI saw a bare "Segmentation fault").
    @Test void testForksRunWithSignalChainingWhereTheJdkHasIt() {
        Optional<Boolean> active = SignalChaining.active();
        if (active.isEmpty() || !Files.exists(SignalChaining.library())) return;   // no /proc or no libjsig: nothing to preload
        assertThat(active).as("libjsig in this test fork (the parent pom's jvm-signal-chaining profile)").contains(true);
    }

    @Test void poclWithoutChainingGetsAdviceNamingTheLibrary() {
        assertThat(SignalChaining.advice(POCL, Optional.of(false)))
                .contains("LD_PRELOAD=" + SignalChaining.library()).contains("Segmentation fault");
    }

    @Test void noAdviceWithChainingOnOtherPlatformsOrWhenUnknown() {
        assertThat(SignalChaining.advice(POCL, Optional.of(true))).isNull();
        assertThat(SignalChaining.advice(POCL, Optional.empty())).isNull();
        assertThat(SignalChaining.advice(GPU, Optional.of(false))).isNull();
    }

    // What PoCL logged when LLVM's handler had deleted its temporary file mid-build (seen here with
    // a JVM without libjsig): a build worth repeating, unlike a real error in the source.
    @Test void aBuildThatLostItsTemporaryFileIsRepeatedAndARealErrorIsNot() {
        assertThat(ClBackend.lostTemporaryFile("error: <invalid loc>: unable to rename temporary '/root/.cache/pocl/kcache/tempfile_xWfqvN"
                + ".preproc-c67006f5.cl.tmp' to output file '/root/.cache/pocl/kcache/tempfile_xWfqvN.preproc.cl': 'No such file or directory'"))
                .isTrue();
        assertThat(ClBackend.lostTemporaryFile("kernels:3:5: error: use of undeclared identifier 'y'")).isFalse();
    }
}
