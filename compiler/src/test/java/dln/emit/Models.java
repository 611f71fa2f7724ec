package dln.emit;

import dln.Compiler;
import dln.diag.Source;
import dln.runtime.Backend;
import dln.runtime.Model;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helper: compiles .dln text to Java, compiles that with javac in memory and instantiates a model. */
final class Models {
    private Models() {}

    static List<Compiler.Generated> generate(String dln) {
        Compiler.Result r = Compiler.check(Source.of("test.dln", dln));
        if (!r.ok()) throw new AssertionError("the test model does not check: " + r.diagnostics().all());
        return Compiler.generate(r, "dln.test", "test.dln");
    }

    static Model instantiate(String dln, String model, Backend backend, int maxBatch) {
        List<Compiler.Generated> all = generate(dln);
        Map<String, String> sources = new LinkedHashMap<>(), programs = new LinkedHashMap<>();
        for (Compiler.Generated g : all) {
            sources.put(g.packageName() + "." + g.className(), g.java());
            programs.put(g.openclPath(), g.opencl());
        }
        ClassLoader loader = InMemoryJavac.compile(sources, programs);
        Compiler.Generated g = all.stream().filter(x -> x.model().equals(model)).findFirst().orElseThrow();
        try {
            return (Model) loader.loadClass(g.packageName() + "." + g.className())
                    .getConstructor(Backend.class, int.class).newInstance(backend, maxBatch);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
