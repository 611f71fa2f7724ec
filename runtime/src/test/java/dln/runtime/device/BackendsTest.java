package dln.runtime.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dln.runtime.cl.Devices;
import dln.runtime.jvm.JvmBackend;
import org.junit.jupiter.api.Test;

/** Device choices: the words and numbers `--device` takes, and the messages for the others. */
class BackendsTest {
    @Test void theWordsAndNumbersAreChoicesInAnyCase() {
        assertThat(Backends.check(" GPU ")).isEqualTo("gpu");
        assertThat(Backends.check("Java")).isEqualTo("java");
        assertThat(Backends.check("jvm")).isEqualTo("jvm");
        assertThat(Backends.check("auto")).isEqualTo("auto");
        assertThat(Backends.check("3")).isEqualTo("3");
    }

    @Test void anUnknownDeviceListsTheChoicesAsDlncDevicesNamesThem() {
        String devices = Devices.list().isEmpty() ? "this machine has no OpenCL device" : "here 0: " + Devices.list().get(0).name();
        for (String bad : new String[] {"nonsense", "-1", "gpu0", "99999999999"}) {
            assertThatThrownBy(() -> Backends.check(bad)).isInstanceOf(Backends.NoSuchDevice.class)
                    .hasMessageStartingWith("unknown device `" + bad + "`; the choices are auto, gpu, cpu, java or a device number from `dlnc devices`")
                    .hasMessageContaining(devices);
        }
    }

    @Test void aDeviceNumberBeyondTheDevicesIsNamed() {
        int beyond = Devices.list().size();
        assertThatThrownBy(() -> Backends.open(Integer.toString(beyond))).isInstanceOf(Backends.NoSuchDevice.class)
                .hasMessageStartingWith("there is no OpenCL device " + beyond + "; the choices are");
    }

    @Test void theJvmBackendGetsANoticeExactlyWhenItsBlasIsJava() {
        String notice = Backends.notice(new JvmBackend(), "java", Long.MAX_VALUE);
        if (dln.runtime.host.Blas.isNative()) {
            assertThat(notice).isNull();
        } else {
            assertThat(notice).isEqualTo("no native BLAS here: running on the JVM backend with Java BLAS; for more speed: apt-get install libopenblas0-pthread");
        }
    }
}
