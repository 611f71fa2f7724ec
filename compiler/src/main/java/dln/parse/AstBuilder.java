package dln.parse;

import dln.ast.Decl;
import dln.ast.Decl.Param;
import dln.ast.Decl.Setting;
import dln.ast.Expr;
import dln.ast.Expr.Arg;
import dln.ast.Expr.Call;
import dln.ast.Expr.Name;
import dln.ast.Stmt;
import dln.ast.Unit;
import dln.diag.Diag;
import dln.diag.Diagnostics;
import dln.diag.Source;
import dln.diag.Span;
import dln.grammar.DlnParser;
import dln.grammar.DlnParser.*;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/**
 * Turns a parse tree without syntax errors into immutable AST records. Decodes string escapes and
 * number literals, reporting a bad escape at its own column and a number out of a double's range.
 */
final class AstBuilder {
    private final Source source;
    private final Diagnostics diags;
    private final Offsets offsets;

    AstBuilder(Source source, Diagnostics diags, Offsets offsets) {
        this.source = source;
        this.diags = diags;
        this.offsets = offsets;
    }

    Unit unit(FileContext file) {
        List<Decl> decls = new ArrayList<>();
        for (ItemContext item : file.item()) decls.add(decl(item));
        return new Unit(source, List.copyOf(decls));
    }

    private Decl decl(ItemContext item) {
        if (item.importDecl() != null) {
            ImportDeclContext c = item.importDecl();
            return new Decl.Import(string(c.STRING().getSymbol()), span(c));
        }
        if (item.constDecl() != null) {
            ConstDeclContext c = item.constDecl();
            return new Decl.Const(name(c.name()), expr(c.expr()), span(c));
        }
        if (item.blockDecl() != null) {
            BlockDeclContext c = item.blockDecl();
            return new Decl.Block(name(c.name()), c.param().stream().map(this::param).toList(), statements(c.statement()), span(c));
        }
        if (item.modelDecl() != null) {
            ModelDeclContext c = item.modelDecl();
            return new Decl.Model(name(c.name()), statements(c.statement()), span(c));
        }
        TrainDeclContext c = item.trainDecl();
        return new Decl.Train(name(c.name()), c.setting().stream().map(this::setting).toList(), span(c));
    }

    private Param param(ParamContext c) {
        Expr value = c.expr() == null ? null : expr(c.expr());
        return new Param(name(c.name(0)), c.type == null ? null : name(c.type), value, span(c));
    }

    private Setting setting(SettingContext c) {
        return new Setting(name(c.key), c.arg().stream().map(this::arg).toList(), span(c));
    }

    private List<Stmt> statements(List<StatementContext> list) {
        return list.stream().map(this::statement).toList();
    }

    private Stmt statement(StatementContext s) {
        if (s instanceof InputStmtContext c) {
            return new Stmt.Input(name(c.name(0)), c.type == null ? null : name(c.type),
                    c.expr().stream().map(this::expr).toList(), span(c));
        }
        if (s instanceof OutputStmtContext c) return new Stmt.Output(name(c.name()), expr(c.expr()), span(c));
        if (s instanceof ReturnStmtContext c) return new Stmt.Return(expr(c.expr()), span(c));
        BindStmtContext c = (BindStmtContext) s;
        return new Stmt.Bind(new Name(c.NAME().getText(), span(c.NAME().getSymbol())), expr(c.expr()), span(c));
    }

    private Expr expr(ExprContext e) {
        if (e instanceof UnaryExprContext c) return new Expr.Unary(c.op.getText().charAt(0), expr(c.expr()), span(c));
        if (e instanceof BinaryExprContext c) {
            return new Expr.Binary(c.op.getText().charAt(0), expr(c.expr(0)), expr(c.expr(1)), span(c));
        }
        if (e instanceof PipeExprContext c) {
            Name callee = name(c.target);
            Span callSpan = c.arguments() == null ? callee.span() : callee.span().to(span(c.arguments()));
            Call call = new Call(callee, arguments(c.arguments()), c.arguments() != null, callSpan);
            return new Expr.Pipe(expr(c.expr()), call, span(c));
        }
        if (e instanceof CallExprContext c) return new Call(name(c.name()), arguments(c.arguments()), true, span(c));
        if (e instanceof ParenExprContext c) return expr(c.expr());
        if (e instanceof ListExprContext c) return new Expr.ListExpr(c.expr().stream().map(this::expr).toList(), span(c));
        if (e instanceof NumberExprContext c) return number(c.NUMBER().getSymbol());
        if (e instanceof StringExprContext c) return string(c.STRING().getSymbol());
        return name(((NameExprContext) e).name());
    }

    private List<Arg> arguments(ArgumentsContext c) {
        return c == null ? List.of() : c.arg().stream().map(this::arg).toList();
    }

    private Arg arg(ArgContext c) {
        return new Arg(c.label == null ? null : name(c.label), expr(c.expr()), span(c));
    }

    private Name name(NameContext c) {
        return new Name(c.getText(), span(c));
    }

    /**
     * A literal beyond a double's range is an error, whether it overflows to infinity or underflows to 0,
     * and so is a whole number that a double cannot hold exactly (above 2^53): it would round silently.
     * One that a double holds but float32 does not (above 3.4028235e38) is an error too: weights,
     * data and hyperparameters run as float32, where it would be infinite.
     */
    private Expr.Num number(Token t) {
        String text = t.getText();
        double value = Double.parseDouble(text);
        if (Double.isInfinite(value)) {
            diags.report(Diag.NumberOutOfRange, span(t), text).help("the largest number is about 1.8e308");
        } else if (Float.isInfinite((float) value)) {
            diags.report(Diag.NumberTooLargeForFloat32, span(t), text)
                 .help("weights, data and settings are float32, whose largest number is about 3.4028235e38; this one would be infinite");
        } else if (value == 0 && mantissa(text).chars().anyMatch(c -> c >= '1' && c <= '9')) {
            diags.report(Diag.NumberOutOfRange, span(t), text).help("it is too small for a double and would be 0; the smallest number above 0 is about 4.9e-324");
        } else if (text.chars().allMatch(Character::isDigit) && value >= 0x1p53
                && new java.math.BigDecimal(text).compareTo(new java.math.BigDecimal(value)) != 0) {
            diags.report(Diag.NumberOutOfRange, span(t), text).help("whole numbers are exact up to 2^53 = 9007199254740992; this one would round to "
                    + new java.math.BigDecimal(value).toPlainString());
        }
        return new Expr.Num(value, span(t));
    }

    private static String mantissa(String number) {
        int e = Math.max(number.indexOf('e'), number.indexOf('E'));
        return e < 0 ? number : number.substring(0, e);
    }

    /** Decodes the escapes of the contract (quote, backslash, n, t, u+4 hex digits); any other is an error. */
    private Expr.Str string(Token t) {
        String raw = t.getText();
        int base = offsets.charIndex(t.getStartIndex());
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < raw.length() - 1; i++) {
            char c = raw.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char next = raw.charAt(i + 1);
            switch (next) {
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'u' -> {
                    String hex = raw.substring(i + 2, Math.min(i + 6, raw.length() - 1));
                    if (hex.length() == 4 && hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                        out.append((char) Integer.parseInt(hex, 16));
                        i += 4;
                    } else {
                        diags.report(Diag.InvalidEscape, new Span(source, base + i, base + i + 2 + hex.length()), "\\u" + hex)
                             .help("a \\u escape takes exactly four hexadecimal digits, as in \\u00e9");
                    }
                }
                default -> diags.report(Diag.InvalidEscape, new Span(source, base + i, base + i + 2), "\\" + next)
                        .help("the escapes are \\\", \\\\, \\n, \\t and \\uXXXX");
            }
            i++;
        }
        return new Expr.Str(out.toString(), span(t));
    }

    private Span span(ParserRuleContext c) {
        Token stop = c.getStop() == null || c.getStop().getStopIndex() < c.getStart().getStartIndex() ? c.getStart() : c.getStop();
        return new Span(source, offsets.charIndex(c.getStart().getStartIndex()), offsets.charIndex(stop.getStopIndex() + 1));
    }

    private Span span(Token t) {
        return new Span(source, offsets.charIndex(t.getStartIndex()), offsets.charIndex(t.getStopIndex() + 1));
    }

}
