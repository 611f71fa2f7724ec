package dln.emit;

import dln.ast.Decl;
import dln.ast.Unit;
import dln.diag.Span;
import dln.ir.Plan;
import dln.op.Network;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where in the .dln source each kernel of a model came from: the line of its layer, or of the train
 * block's `loss` or `optimizer` setting, as `model.dln:12`. The emitters write it above each block
 * of launches and each kernel, so that a reader of the generated code finds the line to edit.
 *
 * <p>Files are named as in the generated header: the main file by the name given to the emitter,
 * an imported file (a block's layers) relative to it, so that the output holds no absolute path.
 */
public final class Origins {
    /** A kernel's origin: {@code where} ({@code model.dln:12}) and {@code what} (the layer, `loss` or `optimizer`). */
    public record Origin(String where, String what) {
        @Override public String toString() { return where + " " + what; }
    }

    private final Plan plan;
    private final Map<String, Origin> byOwner = new HashMap<>();

    private Origins(Plan plan) {
        this.plan = plan;
    }

    /**
     * The origins of {@code net}'s kernels in {@code plan}; {@code train} is its train block (null
     * without one) and {@code source} the main file's name as the generated header shows it.
     */
    public static Origins of(Network net, Decl.Train train, Plan plan, String source) {
        Origins out = new Origins(plan);
        Files files = new Files(net.span().source().name(), source);
        for (Network.Layer layer : net.layers()) out.byOwner.put(layer.name(), new Origin(files.where(layer.span()), layer.name()));
        if (train != null) {
            for (String key : List.of("loss", "optimizer")) {
                Span at = train.span();
                for (Decl.Setting s : train.settings()) if (s.key().id().equals(key)) at = s.span();
                out.byOwner.put(key, new Origin(files.where(at), key));
            }
        }
        return out;
    }

    /** The train block of {@code model} in {@code units}, or null. */
    public static Decl.Train trainBlock(List<Unit> units, String model) {
        for (Unit u : units) {
            for (Decl d : u.decls()) if (d instanceof Decl.Train t && t.model().id().equals(model)) return t;
        }
        return null;
    }

    /**
     * The origin of kernel {@code kernel}: that of its owner, or of the layer its owner belongs to
     * (a parameter `dense_1.weight`, a layer's part `maxout_1.affine`); null when it has none.
     */
    public Origin of(String kernel) {
        String owner = plan.owner(kernel);
        while (owner != null) {
            Origin o = byOwner.get(owner);
            if (o != null) return o;
            int dot = owner.lastIndexOf('.');
            owner = dot < 0 ? null : owner.substring(0, dot);
        }
        return null;
    }

    /** File names as the generated header shows them: the main file's, and the others relative to it. */
    private record Files(String mainName, String shown) {
        String where(Span span) {
            return file(span.source().name()) + ":" + span.line();
        }

        private String file(String name) {
            if (name.equals(mainName)) return shown;
            Path main = Path.of(mainName).getParent(), other = Path.of(name);
            Path relative = main == null || main.isAbsolute() != other.isAbsolute() ? other : main.relativize(other);
            Path dir = Path.of(shown).getParent();
            return (dir == null ? relative : dir.resolve(relative)).normalize().toString().replace('\\', '/');
        }
    }
}
