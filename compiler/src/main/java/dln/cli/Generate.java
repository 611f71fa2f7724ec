package dln.cli;

import dln.Compiler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.lang.model.SourceVersion;

/** `dlnc FILE... -o DIR`: checks, then writes each model's .java and .cl under DIR, as protoc and javac do. */
final class Generate {
    private Generate() {}

    static int run(List<String> files, Path dir, String packageName, Dlnc.Output output) {
        PrintWriter err = output.spec.commandLine().getErr();
        if (!packageName.isEmpty() && !SourceVersion.isName(packageName)) {
            err.println("dlnc: error: `" + packageName + "` is not a Java package name");
            return Dlnc.USAGE;
        }
        return Dlnc.check(files, output, (path, result, out, errors) -> {
            for (Compiler.Generated g : Compiler.generate(result, packageName, path.getFileName().toString())) {
                try {
                    write(dir.resolve(g.javaPath()), g.java());
                    write(dir.resolve(g.openclPath()), g.opencl());
                } catch (IOException e) {
                    errors.println("dlnc: error: cannot write " + dir + ": " + e.getMessage());
                    return 1;
                }
                if (!output.quiet) out.println("wrote " + dir.resolve(g.javaPath()) + " and " + g.className() + ".cl");
            }
            return 0;
        });
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
