package dln.maven;

import dln.Compiler;
import dln.ast.Unit;
import dln.check.SourceRoots;
import dln.diag.Diagnostic;
import dln.diag.Diagnostics;
import dln.diag.Renderer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compiles the .dln files of a source folder into Java sources and OpenCL resources, skipping
 * each file whose inputs (itself and its imports, by content) and settings are those of its last
 * successful compilation. Guarantees: an up-to-date file's outputs are not touched; an output is
 * rewritten only when its bytes change; outputs of deleted files, and models no longer in a file,
 * are deleted; two files never write the same class. Knows nothing of Maven.
 */
final class IncrementalGenerator {
    /** Where the diagnostics go, one rendered diagnostic (its lines joined by newlines) per call. */
    interface Log {
        void warn(String text);

        void error(String text);
    }

    /**
     * {@code packageName} null derives each file's package from its folder; {@code fingerprint}
     * changes whenever the compiler's output may change.
     */
    record Settings(Path baseDir, Path sourceDir, Path javaDir, Path resourceDir, Path stateFile,
                    String packageName, boolean failOnWarning, String fingerprint) {
        Settings {
            baseDir = baseDir.toAbsolutePath().normalize();
            sourceDir = sourceDir.toAbsolutePath().normalize();
            javaDir = javaDir.toAbsolutePath().normalize();
            resourceDir = resourceDir.toAbsolutePath().normalize();
            stateFile = stateFile.toAbsolutePath().normalize();
        }
    }

    /** What a run did: files compiled and skipped, problems found, classes generated. */
    record Outcome(int compiled, int upToDate, int errors, int warnings, List<String> classes) {}

    private final Settings settings;
    private final Log log;
    private final Renderer renderer = new Renderer(false);
    private final Path stateDir;
    private final Map<Path, String> owners = new HashMap<>();
    private final List<String> classes = new ArrayList<>();
    private final Set<String> reported = new HashSet<>();
    private int errors, warnings;

    IncrementalGenerator(Settings settings, Log log) {
        this.settings = settings;
        this.log = log;
        this.stateDir = settings.stateFile().getParent();
    }

    Outcome run(List<String> sources) throws IOException {
        Map<String, BuildState.Entry> last = BuildState.read(settings.stateFile());
        Map<String, BuildState.Entry> next = new TreeMap<>();
        List<String> stale = new ArrayList<>();
        for (String source : sources) {
            BuildState.Entry entry = last.get(source);
            if (entry != null && upToDate(source, entry)) {
                next.put(source, entry);
                for (String w : entry.wrote()) owners.put(stateDir.resolve(w).normalize(), source);
            } else {
                stale.add(source);
            }
        }
        for (String source : stale) next.put(source, compile(source, last.get(source)));
        deleteUnclaimed(last, next);
        BuildState.write(settings.stateFile(), next);
        return new Outcome(stale.size() - failures(next), sources.size() - stale.size(), errors, warnings, List.copyOf(classes));
    }

    private boolean upToDate(String source, BuildState.Entry entry) {
        String pkg = packageOf(source);
        if (entry.failed() || pkg == null || !entry.digest().equals(BuildState.digest(salt(pkg), settings.sourceDir(), entry.reads()))) return false;
        return entry.wrote().stream().allMatch(w -> Files.isRegularFile(stateDir.resolve(w)));
    }

    /** Checks and generates one file; returns its new state, a failed one when it had errors. */
    private BuildState.Entry compile(String source, BuildState.Entry last) throws IOException {
        BuildState.Entry failed = new BuildState.Entry("", List.of(), last == null ? List.of() : last.wrote());
        String display = display(settings.sourceDir().resolve(source));
        String pkg = packageOf(source);
        if (pkg == null) {
            error(display + ": error: its folder is not a Java package name: rename the folder, or set <packageName>");
            return failed;
        }
        SourceRoots roots = new SourceRoots(List.of(settings.sourceDir()), "move it under the plugin's <sourceDirectory>");
        if (!roots.containsReally(settings.sourceDir().resolve(source))) {
            error(display + ": error: it is a link to a file outside <sourceDirectory>, which the plugin does not read");
            return failed;
        }
        Compiler.Result result = Compiler.check(settings.sourceDir().resolve(source), display, roots);
        report(result.diagnostics());
        if (!result.ok() || (settings.failOnWarning() && result.diagnostics().warningCount() > 0)) return failed;

        List<Compiler.Generated> generated = Compiler.generate(result, pkg, source);
        List<Output> outputs = new ArrayList<>();
        for (Compiler.Generated g : generated) {
            String className = g.packageName() + "." + g.className();
            outputs.add(new Output(settings.javaDir().resolve(g.javaPath()).normalize(), g.java(), className));
            outputs.add(new Output(settings.resourceDir().resolve(g.openclPath()).normalize(), g.opencl(), className));
        }
        if (!claim(source, display, outputs)) return failed;

        List<String> wrote = new ArrayList<>();
        for (Output o : outputs) {
            Outputs.writeIfChanged(o.file(), o.text());
            wrote.add(Sources.slashes(stateDir.relativize(o.file())));
        }
        for (Compiler.Generated g : generated) classes.add(g.packageName() + "." + g.className());
        List<String> reads = reads(result);
        return new BuildState.Entry(BuildState.digest(salt(pkg), settings.sourceDir(), reads), reads, wrote);
    }

    private record Output(Path file, String text, String className) {}

    /** Takes ownership of the outputs, unless another file already writes one of them. */
    private boolean claim(String source, String display, List<Output> outputs) {
        for (Output o : outputs) {
            String owner = owners.get(o.file());
            if (owner != null && !owner.equals(source)) {
                error(display + ": error: " + o.className() + " is also generated from " + display(settings.sourceDir().resolve(owner))
                      + ": rename one of the models, or move one file to another folder (package)");
                return false;
            }
        }
        for (Output o : outputs) owners.put(o.file(), source);
        return true;
    }

    /** The files a compilation read, relative to the source folder: the file itself, then its imports. */
    private List<String> reads(Compiler.Result result) {
        Path base = settings.sourceDir();
        List<String> reads = new ArrayList<>();
        for (Unit unit : result.program().units()) {
            reads.add(Sources.slashes(base.relativize(unit.source().path().toAbsolutePath().normalize())));
        }
        return reads;
    }

    /** Deletes what the last build wrote and this one no longer does (failed files keep theirs). */
    private void deleteUnclaimed(Map<String, BuildState.Entry> last, Map<String, BuildState.Entry> next) throws IOException {
        Set<Path> kept = new HashSet<>();
        for (BuildState.Entry e : next.values()) for (String w : e.wrote()) kept.add(stateDir.resolve(w).normalize());
        for (BuildState.Entry e : last.values()) {
            for (String w : e.wrote()) {
                Path file = stateDir.resolve(w).normalize();
                if (kept.contains(file)) continue;
                Path root = file.startsWith(settings.javaDir()) ? settings.javaDir() : settings.resourceDir();
                Outputs.delete(file, root);
            }
        }
    }

    /** Logs diagnostics once each: a mistake in an imported file shows up in every file that imports it. */
    private void report(Diagnostics diagnostics) {
        for (Diagnostic d : diagnostics.all()) {
            String text = renderer.render(d).stripTrailing();
            if (!reported.add(text)) continue;
            if (d.isError()) {
                errors++;
                log.error(text);
            } else {
                warnings++;
                log.warn(text);
            }
        }
        int more = diagnostics.notKept();
        if (more > 0) {
            log.error("... and " + more + " more not shown (only the first " + Diagnostics.MAX_KEPT + " errors and "
                    + Diagnostics.MAX_KEPT + " warnings of a file are)");
            errors += diagnostics.errorCount() - Math.min(diagnostics.errorCount(), Diagnostics.MAX_KEPT);
        }
    }

    private void error(String text) {
        errors++;
        log.error(text);
    }

    private String packageOf(String source) {
        return settings.packageName() != null ? settings.packageName() : Sources.packageOf(source);
    }

    /** Everything besides the inputs' bytes that shapes what a file compiles to. */
    private String salt(String pkg) {
        return String.join("\n", settings.fingerprint(), pkg, String.valueOf(settings.failOnWarning()),
                String.valueOf(stateDir.relativize(settings.javaDir())), String.valueOf(stateDir.relativize(settings.resourceDir())));
    }

    /** How diagnostics name a file: relative to the project, as Maven users read paths. */
    private String display(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        return abs.startsWith(settings.baseDir()) ? Sources.slashes(settings.baseDir().relativize(abs)) : abs.toString();
    }

    private static int failures(Map<String, BuildState.Entry> entries) {
        return (int) entries.values().stream().filter(BuildState.Entry::failed).count();
    }
}
