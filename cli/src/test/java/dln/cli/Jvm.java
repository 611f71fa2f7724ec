package dln.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** `dlnc` in a JVM of its own, for what one JVM cannot show: the environment, native libraries, the process's stderr. */
final class Jvm {
    private Jvm() {}

    /**
     * Runs dlnc with {@code args}, the environment changed by {@code env} (a null value removes the
     * variable) and {@code javaOptions} before the class; {@code command} prefixes it all (e.g. unshare).
     */
    static DlncTest.Run dlnc(Path dir, List<String> command, Map<String, String> env, List<String> javaOptions, String... args)
            throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(command);
        line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the test's caches, as surefire gives them to this JVM: never the user's
        for (String cache : List.of(dln.runtime.cl.TuningCache.PROPERTY, dln.runtime.device.BackendChoices.PROPERTY)) {
            if (System.getProperty(cache) != null) line.add("-D" + cache + "=" + System.getProperty(cache));
        }
        line.addAll(javaOptions);
        line.addAll(List.of("-cp", System.getProperty("java.class.path"), Dlnc.class.getName()));
        line.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt"), err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder b = new ProcessBuilder(line).redirectOutput(out.toFile()).redirectError(err.toFile());
        env.forEach((k, v) -> {
            if (v == null) b.environment().remove(k);
            else b.environment().put(k, v);
        });
        Process p = b.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) p.destroyForcibly().waitFor();   // a hang guard only
        return new DlncTest.Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    static DlncTest.Run dlnc(Path dir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        return dlnc(dir, List.of(), env, List.of(), args);
    }
}
