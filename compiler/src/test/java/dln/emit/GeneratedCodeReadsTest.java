package dln.emit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.ImportTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePathScanner;
import dln.Compiler;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated code reads as a person would write it: no member or import that nothing uses, and
 * a `// file.dln:line` comment above each block of launches and each kernel that points at the
 * line the layer (or the train block's loss or optimizer) is written on.
 */
class GeneratedCodeReadsTest {
    /** An origin comment, `// model.dln:12 dense_1` (or a kernel constant's javadoc line ` * model.dln:12 dense_1`). */
    private static final Pattern ORIGIN = Pattern.compile("(?://|\\*) ([\\w./-]+\\.dln):(\\d+) ([\\w.]+)");

    static Stream<Path> samples() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("../samples"))) {
            return files.filter(p -> p.toString().endsWith(".dln")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void noSampleClassHasAnUnusedMemberOrImport(Path sample) throws IOException {
        Compiler.Result checked = Compiler.check(sample, sample.getFileName().toString());
        assertThat(checked.ok()).as("%s checks", sample).isTrue();
        for (Compiler.Generated g : Compiler.generate(checked, "dln.models", sample.getFileName().toString())) {
            assertThat(unused(g.java())).as("unused in %s's class %s", sample, g.className()).isEmpty();
        }
    }

    @Test void theCheckFindsUnusedFieldsMethodsAndImports() {
        String java = """
                package p;
                import java.util.List;
                import java.util.Map;
                final class C {
                    private static final int USED = 1;
                    private static final int SPARE = 2;
                    private final List<String> names = List.of();
                    private int helper() { return USED; }
                    int size() { return names.size(); }
                }
                """;
        assertThat(unused(java)).containsExactlyInAnyOrder("SPARE", "helper", "import java.util.Map");
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyOriginPointsAtTheLineOfItsLayer(Path sample) throws IOException {
        String name = sample.getFileName().toString();
        Compiler.Result checked = Compiler.check(sample, name);
        for (Compiler.Generated g : Compiler.generate(checked, "dln.models", name)) {
            assertOriginsPointAtTheirLines(g.java(), sample.getParent());
            assertOriginsPointAtTheirLines(g.opencl(), sample.getParent());
        }
    }

    @Test void goldenOriginsNameTheLinesOfTheirLayers() throws IOException {
        String dln = Files.readString(GoldenTest.DIR.resolve("tiny_cnn.dln"), StandardCharsets.UTF_8);
        Compiler.Generated g = Models.generate(dln).get(0);
        assertThat(g.java()).contains("// test.dln:5 conv2d_1, + bias, relu\n        launch(CONV2D_1_FWD")
                .contains("// test.dln:12 loss\n")
                .contains("// test.dln:13 optimizer step:");
        assertThat(g.opencl()).contains("// test.dln:6 maxpool2d_1\nfloat16 maxpool2d_1_fwd_ld16(").contains("// y = the max of each 2 x 2 window")
                .contains("// test.dln:13 optimizer\n__kernel void optimizer_update(");
    }

    /**
     * A layer of a block from an imported file is placed in that file, named relative to the main
     * one as the generated header names it (no absolute path), and every kernel has an origin.
     */
    @Test void aBlockLayerPointsAtItsLineInTheImportedFile(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("models/lib"));
        Files.writeString(dir.resolve("models/lib/blocks.dln"), """
                // blocks
                block twice(x, units: int) {
                    h = x -> dense(units) -> relu
                    return h -> dense(units)
                }
                """);
        Files.writeString(dir.resolve("models/net.dln"), """
                import "lib/blocks.dln"
                model Net {
                    input x: [4]
                    output y = x
                        -> twice(8)
                        -> dense(2) -> softmax
                }
                train Net {
                    loss      cross_entropy
                    optimizer adam(lr: 0.01)
                }
                """);
        Path main = dir.resolve("models/net.dln");
        Compiler.Result checked = Compiler.check(main, main.toString());
        assertThat(checked.ok()).as("%s", checked.diagnostics().all()).isTrue();
        Compiler.Generated g = Compiler.generate(checked, "p", "net.dln").get(0);
        assertThat(g.java()).contains("// lib/blocks.dln:3 twice_1.dense_1", "// lib/blocks.dln:4 twice_1.dense_2",
                "// net.dln:6 dense_1", "// net.dln:9 loss", "// net.dln:10 optimizer").doesNotContain(dir.toString());
        assertThat(g.opencl()).contains("// lib/blocks.dln:3 twice_1.dense_1\n").doesNotContain(dir.toString());
        assertOriginsPointAtTheirLines(g.java(), dir.resolve("models"));
        assertOriginsPointAtTheirLines(g.opencl(), dir.resolve("models"));
        assertThat(unused(g.java())).isEmpty();
    }

    /**
     * Every kernel constant and every `__kernel` is under an origin, and the line it names holds the
     * layer's op (`dense` for `dense_1`, and for a block's `twice_1.dense_1`), or the train setting
     * (`loss`, `optimizer`). {@code dir} is the main file's folder, which file names are relative to.
     */
    private static void assertOriginsPointAtTheirLines(String code, Path dir) throws IOException {
        Matcher m = ORIGIN.matcher(code);
        while (m.find()) {
            List<String> text = Files.readAllLines(dir.resolve(m.group(1)));
            String line = text.get(Integer.parseInt(m.group(2)) - 1);
            String owner = m.group(3), last = owner.substring(owner.lastIndexOf('.') + 1);
            if (owner.equals("loss") || owner.equals("optimizer")) {
                // a train block without the setting (the perceptron's loss) is its own origin
                assertThat(line).as("line %s of %s, named by `%s`", m.group(2), m.group(1), m.group()).containsAnyOf(owner, "train ");
            } else {
                assertThat(line).as("line %s of %s, named by `%s`", m.group(2), m.group(1), m.group()).contains(last.replaceAll("_\\d+$", ""));
            }
        }
        List<String> lines = code.lines().toList();
        long kernels = lines.stream().filter(l -> l.startsWith("__kernel")).count();
        if (kernels > 0) assertThat(lines.stream().filter(l -> ORIGIN.matcher(l).matches())).as("an origin per kernel").hasSize((int) kernels);
        for (int i = 2; i < lines.size(); i++) {
            if (lines.get(i).contains("private static final Kernel ")) {
                assertThat(lines.get(i - 2)).as("the javadoc of %s", lines.get(i)).containsPattern(ORIGIN);
            }
        }
    }

    /**
     * The private members and imports of a Java source that nothing in it refers to, by javac's
     * parse tree: fields, methods and imports whose simple name is never used as an identifier.
     */
    static List<String> unused(String java) {
        JavaFileObject file = new SimpleJavaFileObject(URI.create("mem:///Generated.java"), JavaFileObject.Kind.SOURCE) {
            @Override public CharSequence getCharContent(boolean ignoreEncodingErrors) { return java; }
        };
        JavacTask task = (JavacTask) ToolProvider.getSystemJavaCompiler().getTask(null, null, null, List.of("-proc:none"), null, List.of(file));
        Map<String, String> declared = new LinkedHashMap<>();
        Set<String> used = new HashSet<>();
        try {
            for (CompilationUnitTree unit : task.parse()) {
                for (ImportTree imp : unit.getImports()) {
                    MemberSelectTree name = (MemberSelectTree) imp.getQualifiedIdentifier();
                    declared.put(name.getIdentifier().toString(), "import " + name);
                }
                new TreePathScanner<Void, Void>() {
                    @Override public Void visitClass(ClassTree c, Void v) {
                        for (Tree member : c.getMembers()) {
                            if (member instanceof VariableTree f && f.getModifiers().getFlags().contains(Modifier.PRIVATE)) declared.put(f.getName().toString(), f.getName().toString());
                            if (member instanceof MethodTree m && m.getModifiers().getFlags().contains(Modifier.PRIVATE)) declared.put(m.getName().toString(), m.getName().toString());
                        }
                        return super.visitClass(c, v);
                    }

                    @Override public Void visitIdentifier(IdentifierTree id, Void v) {
                        used.add(id.getName().toString());
                        return null;
                    }

                    @Override public Void visitMemberSelect(MemberSelectTree s, Void v) {
                        if (getCurrentPath().getParentPath().getLeaf() instanceof ImportTree) return null;
                        used.add(s.getIdentifier().toString());
                        return super.visitMemberSelect(s, v);
                    }
                }.scan(unit, null);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        List<String> out = new ArrayList<>();
        declared.forEach((name, what) -> { if (!used.contains(name)) out.add(what); });
        return out;
    }
}
