package dln.emit;

import dln.ir.Schedule;
import dln.runtime.kernel.Program;

/** Emits a model's OpenCL program: every kernel of its schedule, once, in schedule order, each under the line it came from. */
public final class OpenClEmitter {
    private OpenClEmitter() {}

    public static String emit(Schedule schedule, String source, Origins origins) {
        String title = "model " + schedule.graph().model() + ", compiled by dlnc from " + source.replace('\\', '/').replace("*/", "");
        return Program.source(title, schedule.kernels(), k -> {
            Origins.Origin o = origins.of(k.name());
            return o == null ? null : o.toString();
        });
    }
}
