package dln.ast;

import dln.diag.Span;
import java.util.List;

/** Expressions: numbers, strings, names, lists, calls, pipelines and constant arithmetic. */
public sealed interface Expr {
    Span span();

    record Num(double value, Span span) implements Expr {}

    record Str(String value, Span span) implements Expr {}

    record Name(String id, Span span) implements Expr {}

    record ListExpr(List<Expr> items, Span span) implements Expr {}

    /** `op(args)`, or `op` alone after an arrow ({@code parens} false). */
    record Call(Name callee, List<Arg> args, boolean parens, Span span) implements Expr {}

    /** `input -> call`: the value on the left becomes the call's first input. */
    record Pipe(Expr input, Call call, Span span) implements Expr {}

    record Unary(char op, Expr operand, Span span) implements Expr {}

    record Binary(char op, Expr left, Expr right, Span span) implements Expr {}

    /** An argument of a call or a value of a setting, with an optional `label:`. */
    record Arg(Name label, Expr value, Span span) {
        public boolean named() { return label != null; }
    }
}
