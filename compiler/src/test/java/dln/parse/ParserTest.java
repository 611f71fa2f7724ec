package dln.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dln.ast.Decl;
import dln.ast.Expr;
import dln.ast.Stmt;
import dln.ast.Unit;
import dln.diag.Diag;
import dln.diag.Diagnostic;
import dln.diag.Diagnostics;
import dln.diag.Source;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The grammar and the AST builder: every construct of the contract, and syntax errors worded for people. */
class ParserTest {

    static Unit parse(String text) {
        Diagnostics diags = new Diagnostics();
        Unit unit = Parser.parse(Source.of("t.dln", text), diags);
        assertThat(diags.all()).isEmpty();
        return unit;
    }

    static List<Diagnostic> errors(String text) {
        Diagnostics diags = new Diagnostics();
        Parser.parse(Source.of("t.dln", text), diags);
        return diags.all();
    }

    @Test
    void pipelinesNestLeftToRightAndArgumentLessCallsDropParentheses() {
        Unit u = parse("model M { input x: [2]\n output y = x -> dense(4, init: xavier) -> relu }");
        Decl.Model m = u.all(Decl.Model.class).get(0);
        Stmt.Output out = (Stmt.Output) m.body().get(1);
        Expr.Pipe outer = (Expr.Pipe) out.value();
        assertThat(outer.call().callee().id()).isEqualTo("relu");
        assertThat(outer.call().parens()).isFalse();
        Expr.Pipe inner = (Expr.Pipe) outer.input();
        assertThat(inner.call().callee().id()).isEqualTo("dense");
        assertThat(inner.call().args()).extracting(a -> a.named() ? a.label().id() : "_").containsExactly("_", "init");
        assertThat(((Expr.Name) inner.input()).id()).isEqualTo("x");
    }

    @Test
    void keywordsAreOrdinaryNamesAfterTheStatementStart() {
        Unit u = parse("train M {\n split train: 0.7, validation: 0.15, test: 0.15\n}\nmodel M { input x: [1] output model = x -> dense(1, name: input) }");
        Decl.Train t = u.all(Decl.Train.class).get(0);
        assertThat(t.settings().get(0).values()).extracting(a -> a.label().id()).containsExactly("train", "validation", "test");
        Stmt.Output out = (Stmt.Output) u.all(Decl.Model.class).get(0).body().get(1);
        assertThat(out.name().id()).isEqualTo("model");
    }

    @Test
    void statementsNeedNoTerminators() {
        Unit u = parse("train T {\n loss mse\n optimizer adam(lr: 1e-3)\n batch all\n augment shift(2), flip(horizontal)\n}");
        Decl.Train t = u.all(Decl.Train.class).get(0);
        assertThat(t.settings()).extracting(s -> s.key().id() + ":" + s.values().size())
                .containsExactly("loss:1", "optimizer:1", "batch:1", "augment:2");
    }

    @Test
    void numbersStringsAndEscapes() {
        Unit u = parse("const a = 2.5E+4\nconst b = \"q\\\"\\\\\\n\\t\\u00e9\"\nconst c = -(1 + 2) * 3 / 4");
        List<Decl.Const> cs = u.all(Decl.Const.class);
        assertThat(((Expr.Num) cs.get(0).value()).value()).isEqualTo(25000.0);
        assertThat(((Expr.Str) cs.get(1).value()).value()).isEqualTo("q\"\\\n\t\u00e9");
        Expr.Binary div = (Expr.Binary) cs.get(2).value();
        assertThat(div.op()).isEqualTo('/');
        assertThat(((Expr.Binary) div.left()).op()).isEqualTo('*');
    }

    @Test
    void blocksWithTypedParametersAndDefaults() {
        Unit u = parse("block b(x, n: int, rate: float = 0.5,) { return x -> dropout(rate) }");
        Decl.Block b = u.all(Decl.Block.class).get(0);
        assertThat(b.params()).extracting(p -> p.name().id() + ":" + (p.type() == null ? "tensor" : p.type().id())
                + (p.defaultValue() == null ? "" : "=")).containsExactly("x:tensor", "n:int", "rate:float=");
    }

    @Test
    void commentsAreSkippedAndIntInputsParse() {
        Unit u = parse("/* block\n comment */ model M { // line\n input t: int[20] output y = t -> embedding(10, dim: 2) }");
        Stmt.Input in = (Stmt.Input) u.all(Decl.Model.class).get(0).body().get(0);
        assertThat(in.type().id()).isEqualTo("int");
        assertThat(in.dims()).hasSize(1);
    }

    @Test
    void syntaxErrorsSayWhatWasExpected() {
        List<Diagnostic> ds = errors("model M {\n input x: [2]\n output y = x -> dense(4 -> relu\n}");
        assertThat(ds).isNotEmpty();
        assertThat(ds.get(0).diag()).isEqualTo(Diag.SyntaxError);
        assertThat(ds.get(0).message()).startsWith("expected").contains("found");
    }

    @Test
    void equalsInsteadOfColonGetsAHelp() {
        List<Diagnostic> ds = errors("model M {\n input x: [2]\n output y = x -> dense(units = 4)\n}");
        assertThat(ds).first().satisfies(d -> {
            assertThat(d.span().line()).isEqualTo(3);
            assertThat(d.helps()).anyMatch(h -> h.contains("`:`"));
        });
    }

    @Test
    void lexicalErrorsArePreciselyLocated() {
        assertThat(errors("const s = \"abc")).singleElement().satisfies(d -> {
            assertThat(d.diag()).isEqualTo(Diag.UnterminatedString);
            assertThat(d.span().column()).isEqualTo(11);
        });
        assertThat(errors("const s = \"a\\qb\"")).singleElement().satisfies(d -> {
            assertThat(d.diag()).isEqualTo(Diag.InvalidEscape);
            assertThat(d.span().column()).isEqualTo(13);
        });
        assertThat(errors("const s = 1 # 2")).singleElement().satisfies(d -> assertThat(d.diag()).isEqualTo(Diag.UnexpectedCharacter));
        assertThat(errors("/* never closed")).singleElement().satisfies(d -> assertThat(d.diag()).isEqualTo(Diag.UnterminatedComment));
        assertThat(errors("const big = 1e999")).singleElement().satisfies(d -> assertThat(d.diag()).isEqualTo(Diag.NumberOutOfRange));
        assertThat(errors("const deep = " + "(".repeat(300) + "1" + ")".repeat(300)))
                .singleElement().satisfies(d -> assertThat(d.diag()).isEqualTo(Diag.NestedTooDeeply));
    }

    // float32's largest number is 3.4028235e38; a literal that would round to it is fine, one that would
    // round to infinity is not. Only magnitudes are checked: tiny values (an epsilon of 1e-50, which
    // the host keeps as a double) and whole numbers up to 2^53 (a seed) pass.
    @Test
    void literalsBeyondFloat32sRangeAreRefused() {
        assertThat(errors("const lr = -3.5e38")).singleElement().satisfies(d -> {
            assertThat(d.diag()).isEqualTo(Diag.NumberTooLargeForFloat32);
            assertThat(d.span().column()).isEqualTo(13);
            assertThat(d.message()).isEqualTo("number `3.5e38` is too large for float32");
        });
        assertThat(errors("const big = 1000000000000000000000000000000000000000")).singleElement()
                .satisfies(d -> assertThat(d.diag()).isEqualTo(Diag.NumberTooLargeForFloat32));
        assertThat(errors("const top = 3.4028235e38\nconst rounds = 3.40282356e38\nconst eps = 1e-50\nconst seed = 9007199254740992")).isEmpty();
    }

    @Test
    void columnsCountCharactersOutsideTheBasicPlane() {
        List<Diagnostic> ds = errors("const s = \"\uD83D\uDE00\" #");
        assertThat(ds).singleElement().satisfies(d -> assertThat(d.span().column()).isEqualTo(15));
    }
}
