package dln.ast;

import dln.ast.Expr.Arg;
import dln.ast.Expr.Name;
import dln.ast.Expr.Str;
import dln.diag.Span;
import java.util.List;

/** Top-level declarations of a .dln file. */
public sealed interface Decl {
    Span span();

    record Import(Str path, Span span) implements Decl {}

    record Const(Name name, Expr value, Span span) implements Decl {}

    /** `block name(params) { body }`; the body is checked to end with exactly one `return`. */
    record Block(Name name, List<Param> params, List<Stmt> body, Span span) implements Decl {}

    record Model(Name name, List<Stmt> body, Span span) implements Decl {}

    record Train(Name model, List<Setting> settings, Span span) implements Decl {}

    /** A block parameter: untyped (a tensor) or typed `int`/`float` with an optional default. */
    record Param(Name name, Name type, Expr defaultValue, Span span) {
        public boolean isTensor() { return type == null; }
    }

    /** `key value, value, ...` in a train block. */
    record Setting(Name key, List<Arg> values, Span span) {}
}
