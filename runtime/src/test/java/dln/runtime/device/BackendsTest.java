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

    /**
     * Auto's timing: both trials warm up alone, then their rounds alternate, and the faster one's name
     * comes back with each one's best time a step (here two "backends" that sleep 1 and 4 ms a step).
     */
    @Test void theMeasurementAlternatesAndChoosesTheFaster() {
        JvmBackend fast = new JvmBackend(), slow = new JvmBackend();
        StringBuilder trace = new StringBuilder();
        Backends.Workload work = new Backends.Workload() {
            @Override public String key() { return "k"; }
            @Override public String what() { return "a step"; }
            @Override public int batch() { return 8; }
            @Override public Backends.Trial start(dln.runtime.Backend b) {
                return new Backends.Trial() {
                    @Override public void step() {
                        trace.append(b == fast ? 'f' : 's');
                        try {
                            Thread.sleep(b == fast ? 1 : 4);
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    @Override public void close() { trace.append(b == fast ? 'F' : 'S'); }
                };
            }
        };
        for (boolean fastFirst : new boolean[] {true, false}) {
            trace.setLength(0);
            BackendChoices.Entry e = fastFirst ? Backends.measure(fast, slow, work) : Backends.measure(slow, fast, work);
            assertThat(e.chosen()).isEqualTo(fastFirst ? BackendChoices.OPENCL : BackendChoices.JVM);
            assertThat(e.batch()).isEqualTo(8);
            double fastMs = fastFirst ? e.openclMs() : e.jvmMs(), slowMs = fastFirst ? e.jvmMs() : e.openclMs();
            assertThat(fastMs).isBetween(1.0, 3.0);
            assertThat(slowMs).isGreaterThanOrEqualTo(4.0).isGreaterThan(fastMs);
            char a = fastFirst ? 'f' : 's', b = fastFirst ? 's' : 'f';
            // warm-ups of at least 3 steps each, then 3 rounds of at least 2 steps that alternate, then both closed
            assertThat(trace.toString()).matches(a + "{3,}" + b + "{3,}" + ("(" + a + "{2,}" + b + "{2,})").repeat(3) + "[FS]{2}");
        }
    }
}
