package dln.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dln.Compiler;
import dln.diag.Source;
import dln.runtime.Model;
import dln.runtime.jvm.JvmBackend;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Names that are Java or OpenCL keywords, and strings with quotes, backslashes and Unicode escapes, reach generated code safely. */
class KeywordsAndEscapesTest {
    static final String KEYWORDS = """
            model class {
                input int: [3]
                input kernel: [3]
                h = add(int, kernel) -> dense(4, name: public) -> relu
                output void = h -> dense(2, name: float) -> softmax
            }
            """;

    @Test void javaAndOpenClKeywordsAsNamesCompileAndRun() {
        try (Model m = Models.instantiate(KEYWORDS, "class", new JvmBackend(), 2)) {
            assertThat(m.parameterNames()).contains("public.weight", "public.bias", "float.weight");
            m.initialize(1);
            float[] y = m.predict(2, new float[] {1, 2, 3, 4, 5, 6}, new float[] {0, 0, 0, 1, 1, 1})[0];
            assertThat(y[0] + y[1]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(m.info().outputs()).containsExactly("void");
        }
        String cl = Models.generate(KEYWORDS).get(0).opencl();
        assertThat(cl).contains("__kernel void public_fwd(").contains("__kernel void float_fwd_softmax(");   // its softmax folded in: inference only
    }

    @Test void stringsWithQuotesBackslashesAndUnicodeEscapesSurviveIntoTheClass() throws Exception {
        String path = "data/q\\\"uote\\\\back\\\\u000a*/.csv";   // in .dln: "data/q\"uote\\back\\u000a*/.csv"
        String dln = """
                model M {
                    input x: [2]
                    output y = x -> dense(1)
                }
                train M {
                    data      csv("%s", target_columns: [2])
                    loss      mse
                    optimizer sgd(lr: 0.1)
                }
                """.formatted(path);
        String sourceName = "we\"ird\\u000a*/name.dln";
        Compiler.Result r = Compiler.check(Source.of("test.dln", dln));
        assertThat(r.ok()).as("%s", r.diagnostics().all()).isTrue();
        Compiler.Generated g = Compiler.generate(r, "dln.test", sourceName).get(0);
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("dln.test." + g.className(), g.java());
        ClassLoader loader = InMemoryJavac.compile(sources);
        try (Model m = (Model) loader.loadClass("dln.test." + g.className())
                .getConstructor(dln.runtime.Backend.class, int.class).newInstance(new JvmBackend(), 1)) {
            assertThat(m.info().source()).isEqualTo(sourceName);
            assertThat(m.info().data()).contains("data/q\"uote\\back\\u000a*/.csv");
        }
    }
}
