package dln.emit;

import dln.ir.Schedule;
import dln.runtime.kernel.Program;

/** Emits a model's OpenCL program: every kernel of its schedule, once, in schedule order. */
public final class OpenClEmitter {
    private OpenClEmitter() {}

    public static String emit(Schedule schedule, String source) {
        String title = "model " + schedule.graph().model() + ", compiled by dlnc from " + source.replace('\\', '/').replace("*/", "");
        return Program.source(title, schedule.kernels());
    }
}
