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

    /** A model whose step takes over the slow threshold (a second; here 50 ms) is timed in one step a warm-up and a round: 4 steps a backend. */
    @Test void aSlowModelIsTimedInFewSteps() {
        JvmBackend a = new JvmBackend(), b = new JvmBackend();
        java.util.concurrent.atomic.AtomicInteger steps = new java.util.concurrent.atomic.AtomicInteger();
        Backends.Workload slow = new Backends.Workload() {
            @Override public String key() { return "slow"; }
            @Override public String what() { return "a slow step"; }
            @Override public int batch() { return 1; }
            @Override public Backends.Trial start(dln.runtime.Backend backend) {
                return new Backends.Trial() {
                    @Override public void step() {
                        steps.incrementAndGet();
                        long until = System.nanoTime() + 60_000_000L;   // 60 ms, over the test's 50 ms
                        while (System.nanoTime() < until) Thread.onSpinWait();
                    }
                    @Override public void close() {}
                };
            }
        };
        BackendChoices.Entry e = Backends.measure(a, b, slow, 0.05);
        assertThat(steps.get()).isEqualTo(2 * (1 + Backends.ROUNDS));
        assertThat(e.openclMs()).isGreaterThanOrEqualTo(60);
    }

    /**
     * A kept choice is taken as it is, without timing anything; the JVM's without listing the OpenCL
     * platforms either (which loads their drivers). The machine's key names the processor, the JVM
     * backend and the OpenCL drivers installed, and reads no OpenCL.
     */
    @Test void aKeptChoiceIsTakenWithoutTiming(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        String before = System.getProperty(BackendChoices.PROPERTY);
        System.setProperty(BackendChoices.PROPERTY, dir.resolve("backends.json").toString());
        try {
            Backends.Workload work = new Backends.Workload() {
                @Override public String key() { return "Kept training step at batch 8, kernels 0"; }
                @Override public String what() { return "a training step of Kept"; }
                @Override public int batch() { return 8; }
                @Override public Backends.Trial start(dln.runtime.Backend b) { throw new AssertionError("timed although a choice was kept"); }
            };
            String machine = Backends.machine(new JvmBackend());
            assertThat(machine).contains(new JvmBackend().description()).contains(" & OpenCL drivers: ");
            BackendChoices choices = BackendChoices.load(BackendChoices.standardFile());
            choices.put(machine, work.key(), new BackendChoices.Entry(BackendChoices.JVM, 8, 2, 1));
            choices.save();
            java.util.List<String> notes = new java.util.ArrayList<>();
            try (dln.runtime.Backend b = Backends.open("auto", Backends.CPU_OPENCL_FLOPS, work, notes::add)) {
                assertThat(b).isInstanceOf(JvmBackend.class);
            }
            assertThat(notes).isEmpty();
            if (Devices.list().isEmpty() || Devices.list().stream().anyMatch(Devices.Device::gpu)) return;
            choices.put(machine, work.key(), new BackendChoices.Entry(BackendChoices.OPENCL, 8, 1, 2));
            choices.save();
            try (dln.runtime.Backend b = Backends.open("auto", Backends.CPU_OPENCL_FLOPS, work, notes::add)) {
                assertThat(b).isInstanceOf(dln.runtime.cl.ClBackend.class);
            }
            assertThat(notes).isEmpty();
        } finally {
            if (before == null) System.clearProperty(BackendChoices.PROPERTY);
            else System.setProperty(BackendChoices.PROPERTY, before);
        }
    }

    /** Two threads opening the same model under auto at once: one times it, the other waits and takes the kept choice. */
    @Test void concurrentOpensTimeAModelOnce(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.util.List<Devices.Device> devices = Devices.list();
        org.junit.jupiter.api.Assumptions.assumeTrue(!devices.isEmpty() && devices.stream().noneMatch(Devices.Device::gpu), "a CPU OpenCL device and no GPU");
        String before = System.getProperty(BackendChoices.PROPERTY);
        System.setProperty(BackendChoices.PROPERTY, dir.resolve("backends.json").toString());
        try {
            java.util.concurrent.atomic.AtomicInteger trials = new java.util.concurrent.atomic.AtomicInteger();
            Backends.Workload work = new Backends.Workload() {
                @Override public String key() { return "Twice training step at batch 8, kernels 0"; }
                @Override public String what() { return "a training step of Twice"; }
                @Override public int batch() { return 8; }
                @Override public Backends.Trial start(dln.runtime.Backend b) {
                    trials.incrementAndGet();
                    return new Backends.Trial() {
                        @Override public void step() { Thread.onSpinWait(); }
                        @Override public void close() {}
                    };
                }
            };
            java.util.List<String> notes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                java.util.List<java.util.concurrent.Future<Class<?>>> opened = two.invokeAll(java.util.List.of(open(work, notes), open(work, notes)));
                assertThat(opened.get(0).get()).isEqualTo(opened.get(1).get());
            } finally {
                two.shutdown();
            }
            assertThat(trials.get()).as("one model on each backend, timed once").isEqualTo(2);
            assertThat(notes).as("one line, from the thread that timed it").hasSize(1);
        } finally {
            if (before == null) System.clearProperty(BackendChoices.PROPERTY);
            else System.setProperty(BackendChoices.PROPERTY, before);
        }
    }

    private static java.util.concurrent.Callable<Class<?>> open(Backends.Workload work, java.util.List<String> notes) {
        return () -> {
            try (dln.runtime.Backend b = Backends.open("auto", Backends.CPU_OPENCL_FLOPS, work, notes::add)) {
                return b.getClass();
            }
        };
    }
}
