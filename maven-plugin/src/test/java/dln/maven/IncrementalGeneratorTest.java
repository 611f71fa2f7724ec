package dln.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncrementalGeneratorTest {
    private static final String MLP = "model Mlp {\n    input x: [4]\n    output y = x -> dense(3) -> softmax\n}\n";
    private static final String BLOCKS = "block two(x) {\n    return x -> dense(5) -> relu -> dense(5) -> relu\n}\n";
    private static final String TOWER = "import \"blocks.dln\"\n\nmodel Tower {\n    input x: [4]\n    output y = x -> two -> dense(2) -> softmax\n}\n";
    private static final FileTime LONG_AGO = FileTime.fromMillis(978_307_200_000L);

    @TempDir Path project;
    private final List<String> logged = new ArrayList<>();
    private boolean failOnWarning;

    @Test
    void writesEachModelsClassAndProgramInTheFoldersPackage() throws Exception {
        source("com/acme/mlp.dln", MLP);
        var outcome = run();
        assertThat(outcome.classes()).containsExactly("com.acme.Mlp");
        assertThat(java("com/acme/Mlp.java")).contains("package com.acme;").contains("from {@code com/acme/mlp.dln}");
        assertThat(project.resolve("target/res/com/acme/Mlp.cl")).isRegularFile();
    }

    @Test
    void anUnchangedRebuildTouchesNothing() throws Exception {
        source("a.dln", MLP);
        source("b.dln", TOWER.replace("Tower", "Other"));
        source("blocks.dln", BLOCKS);
        run();
        backdateEverything();

        var outcome = run();
        assertThat(outcome.upToDate()).isEqualTo(3);
        assertThat(outcome.compiled()).isZero();
        try (Stream<Path> files = Files.walk(project.resolve("target"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) assertThat(Files.getLastModifiedTime(f)).isEqualTo(LONG_AGO);
        }
    }

    @Test
    void changingAnImportedFileRecompilesTheImporterOnly() throws Exception {
        source("mlp.dln", MLP);
        source("blocks.dln", BLOCKS);
        source("tower.dln", TOWER);
        run();
        backdateEverything();

        source("blocks.dln", BLOCKS.replace("dense(5)", "dense(6)"));
        var outcome = run();
        assertThat(outcome.compiled()).isEqualTo(2);   // blocks.dln itself, which has no model, and tower.dln
        assertThat(outcome.classes()).containsExactly("dln.models.Tower");
        assertThat(java("dln/models/Tower.java")).contains("6L");
        assertThat(Files.getLastModifiedTime(project.resolve("target/gen/dln/models/Mlp.java"))).isEqualTo(LONG_AGO);
    }

    @Test
    void aFileWhoseBytesDidNotChangeIsNotRewritten() throws Exception {
        source("mlp.dln", MLP);
        run();
        backdateEverything();
        // at the end, since a line added above a layer moves the `// mlp.dln:N` comments of the generated code
        source("mlp.dln", MLP + "// a comment changes the digest, not the generated code\n");
        assertThat(run().compiled()).isEqualTo(1);
        assertThat(Files.getLastModifiedTime(project.resolve("target/gen/dln/models/Mlp.java"))).isEqualTo(LONG_AGO);
    }

    @Test
    void outputsOfDeletedFilesAndModelsAreDeleted() throws Exception {
        source("com/acme/mlp.dln", MLP);
        source("two.dln", MLP + MLP.replace("Mlp", "Second"));
        run();
        Files.delete(project.resolve("src/main/dln/com/acme/mlp.dln"));
        source("two.dln", MLP);
        run();
        assertThat(project.resolve("target/gen/com")).doesNotExist();
        assertThat(project.resolve("target/res/com")).doesNotExist();
        assertThat(project.resolve("target/gen/dln/models/Second.java")).doesNotExist();
        assertThat(project.resolve("target/gen/dln/models/Mlp.java")).isRegularFile();
    }

    @Test
    void theSameSourceGivesTheSameBytesInAnotherFolder(@TempDir Path elsewhere) throws Exception {
        source("com/acme/tower.dln", TOWER);
        source("com/acme/blocks.dln", BLOCKS);
        run();
        Path here = project;
        project = elsewhere;
        source("com/acme/tower.dln", TOWER);
        source("com/acme/blocks.dln", BLOCKS);
        run();
        for (String f : List.of("gen/com/acme/Tower.java", "res/com/acme/Tower.cl")) {
            assertThat(Files.readAllBytes(elsewhere.resolve("target").resolve(f))).isEqualTo(Files.readAllBytes(here.resolve("target").resolve(f)));
        }
        assertThat(java("com/acme/Tower.java")).doesNotContain(elsewhere.toString());
    }

    @Test
    void errorsAreLoggedAtTheirPlaceAndRetriedNextTime() throws Exception {
        source("nets/bad.dln", "model Bad {\n    input x: [1, 8, 8]\n    output y = x -> dense(2)\n}\n");
        var outcome = run();
        assertThat(outcome.errors()).isEqualTo(1);
        assertThat(logged).singleElement().asString()
                .startsWith("error: src/main/dln/nets/bad.dln:3:21: error[DLN041]: dense expects a 1-D input")
                .contains("^^^^^^^^");
        assertThat(run().errors()).isEqualTo(1);
    }

    @Test
    void anErrorInAnImportedFileIsReportedOnce() throws Exception {
        source("blocks.dln", BLOCKS.replace("relu\n", "relu -> dense(oops)\n"));
        source("tower.dln", TOWER);
        var outcome = run();
        assertThat(outcome.errors()).isEqualTo(1);
        assertThat(logged).singleElement().asString().startsWith("error: src/main/dln/blocks.dln:2:");
    }

    @Test
    void warningsPassUnlessFailOnWarning() throws Exception {
        source("pool.dln", "model Pool {\n    input x: [1, 8, 8]\n    output y = x -> maxpool2d(3) -> flatten -> dense(2)\n}\n");
        assertThat(run().warnings()).isEqualTo(1);
        assertThat(logged).singleElement().asString().startsWith("warning: src/main/dln/pool.dln:3:21: warning[DLN045]");
        assertThat(project.resolve("target/gen/dln/models/Pool.java")).isRegularFile();

        failOnWarning = true;
        var strict = run();
        assertThat(strict.warnings()).isEqualTo(1);
        assertThat(strict.compiled()).isZero();
    }

    @Test
    void twoFilesMayNotGenerateOneClass() throws Exception {
        source("a.dln", MLP);
        source("b.dln", MLP);
        var outcome = run();
        assertThat(outcome.errors()).isEqualTo(1);
        assertThat(logged).containsExactly("error: src/main/dln/b.dln: error: dln.models.Mlp is also generated from src/main/dln/a.dln:"
                + " rename one of the models, or move one file to another folder (package)");
    }

    @Test
    void aFolderThatIsNoPackageIsAnError() throws Exception {
        source("my-nets/mlp.dln", MLP);
        assertThat(run().errors()).isEqualTo(1);
        assertThat(logged.get(0)).startsWith("error: src/main/dln/my-nets/mlp.dln: error: its folder is not a Java package name");
    }

    /** A repository built in CI cannot make the plugin read, and log, a file outside its source folder. */
    @Test
    void importsStayInsideTheSourceDirectory() throws Exception {
        Files.writeString(project.resolve("secret.dln"), "SECRET_TOKEN=hunter2\n");
        Files.writeString(project.resolve("notes.txt"), "SECRET_TOKEN=hunter2\n");
        source("leak.dln", "import \"../../../secret.dln\"\nimport \"/etc/passwd\"\n" + MLP);
        Files.createSymbolicLink(project.resolve("src/main/dln/linked.dln"), project.resolve("secret.dln"));
        source("viaLink.dln", "import \"linked.dln\"\n" + MLP.replace("Mlp", "Other"));
        var outcome = run();
        assertThat(outcome.errors()).isEqualTo(4);
        assertThat(String.join("\n", logged)).doesNotContain("hunter2");
        // the link is also a source file of its own: it is not read either
        assertThat(logged).contains("error: src/main/dln/linked.dln: error: it is a link to a file outside <sourceDirectory>, which the plugin does not read");
        assertThat(logged).anySatisfy(l -> assertThat(l).contains("error[DLN009]: cannot import \"../../../secret.dln\": it is outside the project's source folders"))
                .anySatisfy(l -> assertThat(l).contains("error[DLN009]: cannot import \"/etc/passwd\": only `.dln` files can be imported"))
                .anySatisfy(l -> assertThat(l).contains("error[DLN009]: cannot import \"linked.dln\": it is a link to a file outside the project's source folders"));
    }

    private IncrementalGenerator.Outcome run() throws IOException {
        var settings = new IncrementalGenerator.Settings(project, project.resolve("src/main/dln"), project.resolve("target/gen"),
                project.resolve("target/res"), project.resolve("target/state/default.state"), null, failOnWarning, "test");
        var log = new IncrementalGenerator.Log() {
            @Override public void warn(String text) { logged.add("warning: " + text); }

            @Override public void error(String text) { logged.add("error: " + text); }
        };
        List<String> files = Sources.scan(project.resolve("src/main/dln"), List.of("**/*.dln"), List.of());
        return new IncrementalGenerator(settings, log).run(files);
    }

    private void source(String relative, String text) throws IOException {
        Path file = project.resolve("src/main/dln").resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private String java(String relative) throws IOException {
        return Files.readString(project.resolve("target/gen").resolve(relative));
    }

    private void backdateEverything() throws IOException {
        try (Stream<Path> files = Files.walk(project.resolve("target"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) Files.setLastModifiedTime(f, LONG_AGO);
        }
    }
}
