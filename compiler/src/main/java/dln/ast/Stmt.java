package dln.ast;

import dln.ast.Expr.Name;
import dln.diag.Span;
import java.util.List;

/** Statements of model and block bodies. */
public sealed interface Stmt {
    Span span();

    /** `input name: [d1, ...]` or `input name: int[d1, ...]`; {@code type} is null for float. */
    record Input(Name name, Name type, List<Expr> dims, Span span) implements Stmt {}

    /** `name = expr`; rebinding a name makes a new value. */
    record Bind(Name name, Expr value, Span span) implements Stmt {}

    record Output(Name name, Expr value, Span span) implements Stmt {}

    record Return(Expr value, Span span) implements Stmt {}
}
