package dln.cli;

import dln.Compiler;
import dln.diag.Renderer;
import dln.op.Network;
import dln.runtime.io.FileErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The `dlnc` command. Exit codes: 0 success (warnings allowed), 1 errors in the input, 2 bad
 * command-line usage, 3 an internal error (a bug in dlnc, reported in one line).
 */
@Command(name = "dlnc", mixinStandardHelpOptions = true, versionProvider = Dlnc.Version.class,
        description = "Checks and compiles DLN neural-network definitions (.dln files).",
        subcommands = {Dlnc.Check.class, Train.class, Eval.class, Predict.class, Export.class, Import.class, Bench.class, Devices.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success (warnings allowed)", "1:errors in the input", "2:bad command-line usage",
                "3:internal error in dlnc"})
public final class Dlnc implements Callable<Integer> {
    public static final int OK = 0;
    public static final int BAD_INPUT = 1;
    public static final int USAGE = 2;
    public static final int INTERNAL = 3;

    @Parameters(paramLabel = "FILE", arity = "0..*",
            description = "Files to compile with -o, else to check (the same as `dlnc check FILE...`).")
    List<String> files = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "Write each model's Java class and OpenCL program under DIR (as package folders; a folder, so not -).")
    Path outputDir;

    @Option(names = "--package", paramLabel = "NAME", defaultValue = "dln.models",
            description = "The Java package of the generated classes (default: ${DEFAULT-VALUE}).")
    String packageName;

    @CommandLine.Mixin
    Output output = new Output();

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs dlnc with {@code args}, writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Dlnc());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            err.println("dlnc: internal error: " + e + ". This is a bug in dlnc; please report it with the input that caused it.");
            if (System.getenv("DLN_DEBUG") != null) e.printStackTrace(err);
            return INTERNAL;
        });
        try {
            return cli.execute(args);
        } catch (Throwable t) {
            err.println("dlnc: internal error: " + t + ". This is a bug in dlnc; please report it with the input that caused it.");
            return INTERNAL;
        } finally {
            out.flush();
            err.flush();
        }
    }

    @Override
    public Integer call() {
        if (files.isEmpty()) {
            output.spec.commandLine().usage(output.spec.commandLine().getErr());
            return USAGE;
        }
        if (outputDir != null) return Generate.run(files, outputDir, packageName, output);
        return check(files, output);
    }

    /** Options shared by the commands that print diagnostics. */
    static final class Output {
        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
                description = "Color diagnostics: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
        Color color = Color.auto;

        @Option(names = {"-q", "--quiet"}, description = "Print only diagnostics, no model summaries.")
        boolean quiet;

        @Option(names = {"-W", "--warnings-as-errors"}, description = "Fail (exit 1) when there are warnings.")
        boolean warningsAsErrors;

        @CommandLine.Mixin
        ImportPath importPath = new ImportPath();

        boolean useColor() {
            return switch (color) {
                case always -> true;
                case never -> false;
                case auto -> System.console() != null && System.getenv("NO_COLOR") == null && !"dumb".equals(System.getenv("TERM"));
            };
        }
    }

    enum Color { auto, always, never }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Parse and check .dln files: report every error and warning, and print a summary of each model; "
                    + "with -w, how a weights file's tensors match a model's parameters instead.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "The .dln files to check.")
        List<String> files;

        @CommandLine.Mixin
        Output output = new Output();

        @Option(names = {"-w", "--weights"}, paramLabel = "W.safetensors",
                description = "List every parameter of the model as matched, missing, of the wrong shape or ambiguous, and every other "
                        + "tensor of W as unexpected or ignored (DLN's or PyTorch's names); exit 1 unless all match. With -q, only the problems.")
        Path weights;

        @Option(names = "--model", paramLabel = "NAME", description = "With -w, the model the weights are for when the file has several.")
        String modelName;

        @Override
        public Integer call() {
            if (weights == null && modelName == null) return check(files, output);
            return CheckWeights.run(files, weights, modelName, output);
        }
    }

    /** What to do with a file that checked without errors; returns the number of further errors. */
    interface OnSuccess {
        int apply(Path path, Compiler.Result result, PrintWriter out, PrintWriter err);
    }

    static int check(List<String> files, Output output) {
        return check(files, output, (path, result, out, err) -> {
            if (!output.quiet) {
                for (var entry : result.networks().entrySet()) {
                    Network net = entry.getValue();
                    out.println(Summary.render(net, result.trainings().get(entry.getKey()), net.span().where()));
                }
            }
            return 0;
        });
    }

    /** Checks each file, printing its diagnostics, and runs {@code then} on each that has no errors. */
    static int check(List<String> files, Output output, OnSuccess then) {
        PrintWriter out = output.spec.commandLine().getOut();
        PrintWriter err = output.spec.commandLine().getErr();
        Renderer renderer = new Renderer(output.useColor());
        int errors = 0;
        int warnings = 0;
        for (String name : files) {
            Path path;
            try {
                path = Path.of(name);
            } catch (InvalidPathException e) {
                err.println("dlnc: error: `" + name + "` is not a valid path");
                errors++;
                continue;
            }
            if (!Files.exists(path)) {
                err.println("dlnc: error: " + name + ": " + FileErrors.unreadable(path));
                errors++;
                continue;
            }
            Compiler.Result result = Compiler.check(path, name, output.importPath.roots(path));
            err.print(renderer.render(result.diagnostics()));
            errors += result.diagnostics().errorCount();
            warnings += result.diagnostics().warningCount();
            if (result.ok() && !(output.warningsAsErrors && result.diagnostics().warningCount() > 0)) errors += then.apply(path, result, out, err);
        }
        if (errors + warnings > 0) err.println(renderer.summary(errors, warnings));
        out.flush();
        err.flush();
        return errors > 0 || (output.warningsAsErrors && warnings > 0) ? BAD_INPUT : OK;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Dlnc.class.getResourceAsStream("/dln/version.properties")) {
                if (in != null) p.load(in);
            }
            return new String[] {"dlnc " + p.getProperty("version", "unknown") + " (Java " + System.getProperty("java.version") + ")"};
        }
    }
}
