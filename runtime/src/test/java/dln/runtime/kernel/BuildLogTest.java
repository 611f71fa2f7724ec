package dln.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dln.runtime.Backend;
import dln.runtime.cl.ClBackend;
import dln.runtime.cl.Devices;
import dln.runtime.cl.KernelBuildException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A kernel the OpenCL compiler rejects fails with the device's build log in the message. */
class BuildLogTest {
    record Broken(String name) implements Kernel {
        public List<String> args() { return List.of("y"); }
        public void reference(int batch, int step, float[][] bufs) {}
        public void opencl(C out) {
            out.kernel(name, "y");
            out.line("y[get_global_id(0)] = undeclared_variable;");
            out.line("}");
        }
        public long[] global(int batch) { return new long[] {1}; }
    }

    @Test void theBuildLogReachesTheError() {
        assumeFalse("1".equals(System.getenv("DLN_SKIP_OPENCL")), "DLN_SKIP_OPENCL=1");
        try (Backend cl = new ClBackend(Devices.list().get(0))) {
            assertThatThrownBy(() -> cl.compile(List.of(new Broken("broken_kernel"))))
                    .isInstanceOf(KernelBuildException.class)
                    .hasMessageContaining("rejected the generated kernels")
                    .hasMessageContaining("undeclared_variable");
        }
    }
}
