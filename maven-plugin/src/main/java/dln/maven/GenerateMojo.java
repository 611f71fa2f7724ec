package dln.maven;

import dln.Compiler;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import org.apache.maven.model.Resource;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Compiles the {@code .dln} files under {@code src/main/dln} into one Java class per model (a
 * subclass of {@code dln.runtime.Model}) under {@code target/generated-sources/dln}, and its OpenCL
 * program into {@code target/generated-resources/dln}, and adds both folders to the build, as the
 * protoc and ANTLR plugins do. Files whose content and imports did not change since the last build are
 * skipped. Diagnostics are logged as {@code file:line:col: error[DLNxxx]: message}, and errors
 * fail the build.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public final class GenerateMojo extends AbstractMojo {
    /** The folder of the .dln files; a file's folders below it name its Java package. */
    @Parameter(defaultValue = "${project.basedir}/src/main/dln", required = true)
    private File sourceDirectory;

    /** Where the Java sources go; added to the compile source roots. */
    @Parameter(defaultValue = "${project.build.directory}/generated-sources/dln", required = true)
    private File outputDirectory;

    /** Where the OpenCL programs ({@code .cl}, next to their class's package) go; added as a resource folder. */
    @Parameter(defaultValue = "${project.build.directory}/generated-resources/dln", required = true)
    private File resourceOutputDirectory;

    /** Ant-style patterns, relative to {@link #sourceDirectory}, of the files to compile; by default every {@code .dln} file. */
    @Parameter
    private List<String> includes = List.of("**/*.dln");

    /** Ant-style patterns of files to leave out, such as files that only hold imported blocks. */
    @Parameter
    private List<String> excludes = List.of();

    /**
     * The Java package of every generated class. Unset, each file's package is its folder below
     * {@link #sourceDirectory} ({@code com/acme/net.dln} gives {@code com.acme}), and
     * {@code dln.models} for files at the top.
     */
    @Parameter
    private String packageName;

    /** Skips the goal: nothing is generated and no folder is added to the build. */
    @Parameter(property = "dln.skip", defaultValue = "false")
    private boolean skip;

    /** Fails the build on warnings too. */
    @Parameter(property = "dln.failOnWarning", defaultValue = "false")
    private boolean failOnWarning;

    /** The record of the last build, by which unchanged files are skipped. */
    @Parameter(defaultValue = "${project.build.directory}/dln-maven-plugin/${mojoExecution.executionId}.state", readonly = true, required = true)
    private File stateFile;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("Skipping DLN code generation (dln.skip)");
            return;
        }
        if (packageName != null && !javax.lang.model.SourceVersion.isName(packageName)) {
            throw new MojoFailureException("<packageName> `" + packageName + "` is not a Java package name");
        }
        Path sources = sourceDirectory.toPath();
        IncrementalGenerator.Outcome outcome;
        try {
            List<String> files = Sources.scan(sources, includes, excludes);
            if (files.isEmpty()) getLog().info("No .dln files in " + shown(sources));
            var settings = new IncrementalGenerator.Settings(project.getBasedir().toPath(), sources, outputDirectory.toPath(),
                    resourceOutputDirectory.toPath(), stateFile.toPath(), packageName, failOnWarning, fingerprint());
            outcome = new IncrementalGenerator(settings, new MavenLog()).run(files);
        } catch (IOException e) {
            throw new MojoExecutionException("cannot generate code from " + shown(sources) + ": " + e.getMessage(), e);
        }
        addToBuild();
        summarize(outcome);
    }

    private void summarize(IncrementalGenerator.Outcome outcome) throws MojoFailureException {
        if (outcome.upToDate() > 0) getLog().info(files(outcome.upToDate()) + " up to date");
        if (outcome.compiled() > 0) {
            getLog().info("Compiled " + files(outcome.compiled()) + " to " + shown(outputDirectory.toPath())
                          + (outcome.classes().isEmpty() ? "" : ": " + String.join(", ", outcome.classes())));
        }
        if (outcome.errors() > 0) {
            throw new MojoFailureException(count(outcome.errors(), "error") + " in .dln files");
        }
        if (failOnWarning && outcome.warnings() > 0) {
            throw new MojoFailureException(count(outcome.warnings(), "warning") + " in .dln files, and failOnWarning is set");
        }
    }

    private void addToBuild() {
        String java = outputDirectory.getAbsolutePath();
        if (!project.getCompileSourceRoots().contains(java)) project.addCompileSourceRoot(java);
        String resources = resourceOutputDirectory.getAbsolutePath();
        if (project.getResources().stream().noneMatch(r -> resources.equals(r.getDirectory()))) {
            Resource resource = new Resource();
            resource.setDirectory(resources);
            project.addResource(resource);
        }
    }

    /**
     * Changes whenever generated code may: the compiler's version and, for a snapshot, the bytes
     * of the compiler's jar, since snapshots change without changing their version.
     */
    static String fingerprint() throws IOException {
        Properties version = new Properties();
        try (InputStream in = Compiler.class.getResourceAsStream("/dln/version.properties")) {
            if (in != null) version.load(in);
        }
        String v = "dlnc " + version.getProperty("version", "unknown");
        if (!v.endsWith("-SNAPSHOT")) return v;
        try {
            Path jar = Path.of(Compiler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(jar)) return v;
            MessageDigest sha = BuildState.sha256();
            return v + " " + HexFormat.of().formatHex(sha.digest(Files.readAllBytes(jar)));
        } catch (java.net.URISyntaxException | SecurityException | NullPointerException e) {
            return v;
        }
    }

    private String shown(Path dir) {
        Path base = project.getBasedir().toPath().toAbsolutePath().normalize();
        Path abs = dir.toAbsolutePath().normalize();
        return abs.startsWith(base) ? Sources.slashes(base.relativize(abs)) : abs.toString();
    }

    private static String files(int n) {
        return n + (n == 1 ? " .dln file" : " .dln files");
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** Maven's log, which prefixes only the first line of each call: the diagnostic's `file:line:col` line. */
    private final class MavenLog implements IncrementalGenerator.Log {
        @Override public void warn(String text) { getLog().warn(text); }

        @Override public void error(String text) { getLog().error(text); }
    }
}
