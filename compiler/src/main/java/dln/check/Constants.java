package dln.check;

import dln.ast.Decl;
import dln.ast.Expr;
import dln.check.Resolver.Resolution;
import dln.check.Value.CallV;
import dln.check.Value.ListV;
import dln.check.Value.Num;
import dln.check.Value.Poison;
import dln.check.Value.Str;
import dln.check.Value.Sym;
import dln.diag.Diag;
import dln.diag.Diagnostics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Compile-time evaluation: constants (folded once, in the scope of the file that defines them,
 * with cycles reported) and the arithmetic, lists and calls that arguments and settings are made
 * of. A name that is bound to nothing evaluates to a {@link Sym}, an option word such as `xavier`;
 * whoever needs a number or a tensor there reports it as undefined.
 */
final class Constants {
    private final Resolution resolution;
    private final Diagnostics diags;
    private final Map<Decl.Const, Value> folded = new IdentityHashMap<>();
    private final List<Decl.Const> folding = new ArrayList<>();

    Constants(Resolution resolution, Diagnostics diags) {
        this.resolution = resolution;
        this.diags = diags;
    }

    /** Folds every constant of a file, so that errors in unused ones are reported too. */
    void foldAll(Scope scope) {
        for (Decl.Const c : scope.unit.all(Decl.Const.class)) value(c);
    }

    Value value(Decl.Const c) {
        Value done = folded.get(c);
        if (done != null) return done;
        int start = folding.indexOf(c);
        if (start >= 0) {
            List<String> chain = new ArrayList<>();
            for (Decl.Const d : folding.subList(start, folding.size())) chain.add(d.name().id());
            chain.add(c.name().id());
            diags.report(Diag.ConstantDependsOnItself, c.name().span(), c.name().id(), String.join(" -> ", chain));
            return Value.POISON;
        }
        folding.add(c);
        Scope home = resolution.home().get(c);
        Value v = eval(c.value(), name -> lookup(home, name));
        folding.remove(folding.size() - 1);
        if (v instanceof Sym s) {
            undefined(c.value(), s.name(), home, Map.of());
            v = Value.POISON;
        } else if (!(v instanceof Num || v instanceof Str || v instanceof Poison)) {
            diags.report(Diag.NotACompileTimeValue, c.value().span(), "a constant", c.value().span().text(), Value.describe(v));
            v = Value.POISON;
        }
        folded.put(c, v);
        return v;
    }

    /** The value of a constant visible in {@code scope}, or null. */
    Value lookup(Scope scope, String name) {
        Decl.Const c = scope.consts.get(name);
        return c == null ? null : value(c);
    }

    /** Evaluates {@code e}; names resolve through {@code names} (null: unbound, a {@link Sym}). */
    Value eval(Expr e, Function<String, Value> names) {
        if (e instanceof Expr.Num n) return new Num(n.value());
        if (e instanceof Expr.Str s) return new Str(s.value());
        if (e instanceof Expr.Name n) {
            Value v = names.apply(n.id());
            return v == null ? new Sym(n.id()) : v;
        }
        if (e instanceof Expr.ListExpr l) {
            List<Value> items = new ArrayList<>();
            for (Expr item : l.items()) items.add(eval(item, names));
            return new ListV(items);
        }
        if (e instanceof Expr.Unary u) {
            Value v = number(u.operand(), eval(u.operand(), names));
            if (!(v instanceof Num n)) return Value.POISON;
            return new Num(u.op() == '-' ? -n.value() : n.value());
        }
        if (e instanceof Expr.Binary b) return arithmetic(b, names);
        if (e instanceof Expr.Call c) {
            List<Value> positional = new ArrayList<>();
            Map<String, Value> named = new LinkedHashMap<>();
            for (Expr.Arg a : c.args()) {
                Value v = eval(a.value(), names);
                if (a.named()) named.put(a.label().id(), v); else positional.add(v);
            }
            return new CallV(c.callee().id(), positional, named);
        }
        // While a constant is folded, whatever is evaluated belongs to it.
        diags.report(Diag.NotACompileTimeValue, e.span(), folding.isEmpty() ? "this value" : "a constant", e.span().text(), "a pipeline of layers")
             .help("layers can only be used inside a model or a block");
        return Value.POISON;
    }

    private Value arithmetic(Expr.Binary b, Function<String, Value> names) {
        Value l = number(b.left(), eval(b.left(), names));
        Value r = number(b.right(), eval(b.right(), names));
        if (!(l instanceof Num x) || !(r instanceof Num y)) return Value.POISON;
        double result = switch (b.op()) {
            case '+' -> x.value() + y.value();
            case '-' -> x.value() - y.value();
            case '*' -> x.value() * y.value();
            default -> {
                if (y.value() == 0) {
                    diags.report(Diag.DivisionByZero, b.span()).help("`" + b.right().span().text() + "` is 0 here");
                    yield Double.NaN;
                }
                yield x.value() / y.value();
            }
        };
        if (Double.isNaN(result)) return Value.POISON;
        if (Float.isInfinite((float) result)) {
            diags.report(Diag.ArithmeticOutOfRange, b.span(), b.span().text())
                 .help(Double.isInfinite(result) ? "the result is beyond a double's range, about 1.8e308"
                         : "the result, " + Value.format(result) + ", is beyond float32's range, about 3.4028235e38, and would be infinite"
                                 + " as a weight, a datum or a setting");
            return Value.POISON;
        }
        return new Num(result);
    }

    /** {@code v} if it is a number; otherwise reports why arithmetic cannot use it. */
    private Value number(Expr e, Value v) {
        if (v instanceof Num || v instanceof Poison) return v;
        if (v instanceof Sym s) {
            diags.report(Diag.UndefinedName, e.span(), s.name());
            return Value.POISON;
        }
        diags.report(Diag.ArithmeticOnNonNumber, e.span(), e.span().text(), Value.describe(v));
        return Value.POISON;
    }

    /** Reports `name` as undefined, suggesting the closest visible name. */
    void undefined(Expr at, String name, Scope scope, Map<String, ?> locals) {
        diags.report(Diag.UndefinedName, at.span(), name).help(() -> {
            List<String> candidates = new ArrayList<>(locals.keySet());
            candidates.addAll(scope.consts.keySet());
            return Suggest.didYouMean(name, candidates);
        });
    }

    static Map<String, Value> none() { return new HashMap<>(); }
}
