package dln.check;

import dln.ast.Decl;
import dln.ast.Stmt;
import dln.ast.Unit;
import dln.check.Loader.Program;
import dln.diag.Diag;
import dln.diag.Diagnostics;
import dln.op.Op;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Declares every file's names and what its imports make visible. Guarantees: each file has a
 * {@link Scope}; duplicate definitions, blocks that shadow built-in layers, malformed block
 * bodies (no `return`, or statements after it) and train blocks for missing models are reported.
 */
public final class Resolver {
    private final Diagnostics diags;

    public Resolver(Diagnostics diags) {
        this.diags = diags;
    }

    /** The scopes of a program, and for each constant and block the scope of the file defining it. */
    public record Resolution(Program program, Map<Unit, Scope> scopes, Map<Decl, Scope> home) {
        public Scope main() { return scopes.get(program.main()); }
    }

    public Resolution resolve(Program program) {
        Map<Unit, Scope> scopes = new LinkedHashMap<>();
        Map<Decl, Scope> home = new IdentityHashMap<>();
        for (Unit unit : program.units()) scopes.put(unit, declare(unit, home));
        for (Unit unit : program.units()) {
            Scope scope = scopes.get(unit);
            for (Unit imported : program.imports().getOrDefault(unit, List.of())) {
                Decl.Import site = importOf(unit, imported);
                Scope other = scopes.get(imported);
                other.consts.forEach((name, c) -> {
                    if (home.get(c) == other) visible(scope, scope.consts, name, c, site, imported);
                });
                other.blocks.forEach((name, b) -> {
                    if (home.get(b) == other) visible(scope, scope.blocks, name, b, site, imported);
                });
            }
        }
        for (Scope scope : scopes.values()) {
            for (Decl.Train train : scope.unit.all(Decl.Train.class)) {
                String model = train.model().id();
                if (!scope.models.containsKey(model)) {
                    diags.report(Diag.NoModelToTrain, train.model().span(), model)
                         .help(() -> Suggest.didYouMean(model, scope.models.keySet()));
                }
            }
        }
        return new Resolution(program, scopes, home);
    }

    private Scope declare(Unit unit, Map<Decl, Scope> home) {
        Scope scope = new Scope(unit);
        for (Decl decl : unit.decls()) {
            if (decl instanceof Decl.Const c) {
                if (unique(scope, c.name())) scope.consts.put(c.name().id(), c);
                home.put(c, scope);
            } else if (decl instanceof Decl.Block b) {
                checkBlock(b);
                if (Op.signatures().containsKey(b.name().id())) {
                    diags.report(Diag.AlreadyDefined, b.name().span(), b.name().id())
                         .help("`" + b.name().id() + "` is a built-in layer; give the block another name");
                } else if (unique(scope, b.name())) {
                    scope.blocks.put(b.name().id(), b);
                }
                home.put(b, scope);
            } else if (decl instanceof Decl.Model m) {
                if (scope.models.containsKey(m.name().id())) {
                    diags.report(Diag.AlreadyDefined, m.name().span(), m.name().id())
                         .note("model `" + m.name().id() + "` is first defined at " + scope.models.get(m.name().id()).name().span().where());
                } else {
                    scope.models.put(m.name().id(), m);
                }
            } else if (decl instanceof Decl.Train t) {
                if (scope.trains.containsKey(t.model().id())) {
                    diags.report(Diag.DuplicateTrainBlock, t.model().span(), t.model().id())
                         .note("the first is at " + scope.trains.get(t.model().id()).model().span().where());
                } else {
                    scope.trains.put(t.model().id(), t);
                }
            }
        }
        return scope;
    }

    private boolean unique(Scope scope, dln.ast.Expr.Name name) {
        Decl previous = scope.consts.containsKey(name.id()) ? scope.consts.get(name.id()) : scope.blocks.get(name.id());
        if (previous == null) return true;
        diags.report(Diag.AlreadyDefined, name.span(), name.id())
             .note("`" + name.id() + "` is first defined at " + previous.span().where());
        return false;
    }

    private <T extends Decl> void visible(Scope scope, Map<String, T> into, String name, T decl, Decl.Import site,
                                          Unit from) {
        Decl existing = scope.consts.containsKey(name) ? scope.consts.get(name) : scope.blocks.get(name);
        if (existing == null) {
            into.put(name, decl);
        } else if (existing != decl) {
            diags.report(Diag.AlreadyDefined, site.path().span(), name)
                 .note("`" + name + "` is defined at " + existing.span().where() + " and imported from " + from.source().name());
        }
    }

    private static Decl.Import importOf(Unit unit, Unit imported) {
        for (Decl.Import imp : unit.all(Decl.Import.class)) {
            java.nio.file.Path dir = unit.source().path() == null ? null : unit.source().path().toAbsolutePath().getParent();
            if (dir != null && imported.source().path() != null
                    && dir.resolve(imp.path().value()).normalize().equals(imported.source().path().toAbsolutePath().normalize())) {
                return imp;
            }
        }
        return unit.all(Decl.Import.class).get(0);
    }

    /**
     * A block ends with exactly one `return`, declares no inputs or outputs, and types its parameters
     * int or float. A block with statements after its `return` has one, so it gets DLN053, not DLN051.
     */
    private void checkBlock(Decl.Block b) {
        Set<String> params = new HashSet<>();
        for (Decl.Param p : b.params()) {
            if (!params.add(p.name().id())) diags.report(Diag.AlreadyDefined, p.name().span(), p.name().id());
            if (p.type() != null && !p.type().id().equals("int") && !p.type().id().equals("float")) {
                diags.report(Diag.UnknownType, p.type().span(), p.type().id())
                     .help("typed parameters are `int` or `float`; leave the type out for a tensor");
            }
        }
        List<Stmt> body = b.body();
        for (int i = 0; i < body.size(); i++) {
            Stmt s = body.get(i);
            if (s instanceof Stmt.Input || s instanceof Stmt.Output) {
                diags.report(Diag.StatementNotAllowed, keyword(s), s instanceof Stmt.Input ? "`input`" : "`output`", "a block")
                     .help(s instanceof Stmt.Input ? "a block takes its tensors as parameters" : "a block gives its result with `return`");
            } else if (s instanceof Stmt.Return && i != body.size() - 1) {
                diags.report(Diag.StatementNotAllowed, body.get(i + 1).span(), "a statement after `return`", "block `" + b.name().id() + "`")
                     .help("`return` must be the last statement of a block");
            }
        }
        if (body.stream().noneMatch(s -> s instanceof Stmt.Return)) {
            diags.report(Diag.MissingReturn, b.name().span(), b.name().id())
                 .help("end the block with `return <expression>`");
        }
    }

    static dln.diag.Span keyword(Stmt s) {
        return new dln.diag.Span(s.span().source(), s.span().start(), s.span().start()
                + (s instanceof Stmt.Input ? 5 : s instanceof Stmt.Output ? 6 : s instanceof Stmt.Return ? 6 : 0));
    }
}
