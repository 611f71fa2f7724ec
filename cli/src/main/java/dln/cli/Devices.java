package dln.cli;

import dln.runtime.device.Backends;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `dlnc devices`: what this machine can run models on, and which one `--device auto` picks. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the OpenCL devices and the JVM backend, and say which one runs models by default.")
final class Devices implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (String line : Backends.describe()) out.println(line);
        return Dlnc.OK;
    }
}
