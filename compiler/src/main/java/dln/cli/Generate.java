package dln.cli;

import dln.Compiler;
import dln.diag.Diagnostic;
import dln.diag.Renderer;
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
        PrintWriter out = output.spec.commandLine().getOut();
        PrintWriter err = output.spec.commandLine().getErr();
        if (!packageName.isEmpty() && !SourceVersion.isName(packageName)) {
            err.println("dlnc: error: `" + packageName + "` is not a Java package name");
            return Dlnc.USAGE;
        }
        Renderer renderer = new Renderer(output.useColor());
        int errors = 0, warnings = 0;
        for (String name : files) {
            Path path = Path.of(name);
            if (!Files.isRegularFile(path)) {
                err.println("dlnc: error: " + name + ": no such file");
                errors++;
                continue;
            }
            Compiler.Result result = Compiler.check(path, name);
            for (Diagnostic d : result.diagnostics().all()) {
                err.print(renderer.render(d));
                err.println();
            }
            errors += result.diagnostics().errorCount();
            warnings += result.diagnostics().warningCount();
            if (!result.ok() || (output.warningsAsErrors && warnings > 0)) continue;
            for (Compiler.Generated g : Compiler.generate(result, packageName, path.getFileName().toString())) {
                try {
                    write(dir.resolve(g.javaPath()), g.java());
                    write(dir.resolve(g.openclPath()), g.opencl());
                } catch (IOException e) {
                    err.println("dlnc: error: cannot write " + dir + ": " + e.getMessage());
                    return Dlnc.BAD_INPUT;
                }
                if (!output.quiet) out.println("wrote " + dir.resolve(g.javaPath()) + " and " + g.className() + ".cl");
            }
        }
        if (errors + warnings > 0) err.println(renderer.summary(errors, warnings));
        return errors > 0 || (output.warningsAsErrors && warnings > 0) ? Dlnc.BAD_INPUT : Dlnc.OK;
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
