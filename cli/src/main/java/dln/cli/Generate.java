package dln.cli;

import dln.Compiler;
import dln.runtime.io.AtomicFiles;
import dln.runtime.io.FileErrors;
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
        if (dir.toString().equals("-")) {
            err.println("dlnc: error: -o takes a folder: each model becomes a .java and a .cl file, which cannot go to standard output");
            return Dlnc.USAGE;
        }
        if (!packageName.isEmpty() && !SourceVersion.isName(packageName)) {
            err.println("dlnc: error: `" + packageName + "` is not a Java package name");
            return Dlnc.USAGE;
        }
        return Dlnc.check(files, output, (path, result, out, errors) -> {
            for (Compiler.Generated g : Compiler.generate(result, packageName, path.getFileName().toString())) {
                if (!written(dir.resolve(g.javaPath()), g.java(), errors) || !written(dir.resolve(g.openclPath()), g.opencl(), errors)) return 1;
                if (!output.quiet) out.println("wrote " + dir.resolve(g.javaPath()) + " and " + g.className() + ".cl");
            }
            return 0;
        });
    }

    /** Writes the file (atomically, its folders created), or says why it cannot: false then. */
    private static boolean written(Path file, String text, PrintWriter errors) {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (IOException e) {
            errors.println("dlnc: error: cannot write " + FileErrors.message(file, e));
            return false;
        }
    }
}
