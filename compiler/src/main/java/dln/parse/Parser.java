package dln.parse;

import dln.ast.Unit;
import dln.diag.Code;
import dln.diag.Diagnostics;
import dln.diag.Source;
import dln.diag.Span;
import dln.grammar.DlnLexer;
import dln.grammar.DlnParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ListTokenSource;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Reads one file into an AST. Takes the source text; guarantees that every lexical and syntax
 * error is reported (the parser recovers where ANTLR can) and that it returns a complete AST only
 * when there were none: with errors it returns an empty unit, and the compiler stops after parsing.
 */
public final class Parser {
    /** Brackets nested deeper than this are rejected before parsing, so the parser cannot overflow its stack. */
    static final int MAX_NESTING = 256;

    private final Source source;
    private final Diagnostics diags;
    private final Offsets offsets;
    private int errors;

    private Parser(Source source, Diagnostics diags) {
        this.source = source;
        this.diags = diags;
        this.offsets = new Offsets(source.text());
    }

    public static Unit parse(Source source, Diagnostics diags) {
        diags.registerSource(source);
        Parser parser = new Parser(source, diags);
        try {
            return parser.run();
        } catch (StackOverflowError e) {
            parser.error(Code.DLN007, new Span(source, 0, 0), "the parser ran out of stack");
            return new Unit(source, List.of());
        }
    }

    private Unit run() {
        DlnLexer lexer = new DlnLexer(CharStreams.fromString(source.text(), source.name()));
        lexer.removeErrorListeners();
        List<Token> tokens = checkTokens(lexer.getAllTokens());
        if (errors > 0) return new Unit(source, List.of());

        DlnParser parser = new DlnParser(new CommonTokenStream(new ListTokenSource(tokens)));
        parser.removeErrorListeners();
        parser.addErrorListener(new SyntaxErrors());
        DlnParser.FileContext tree = parser.file();
        if (errors > 0) return new Unit(source, List.of());
        return new AstBuilder(source, diags, offsets).unit(tree);
    }

    /** Reports the lexer's error tokens and too-deep nesting, and returns the tokens the parser should see. */
    private List<Token> checkTokens(List<? extends Token> all) {
        List<Token> kept = new ArrayList<>(all.size() + 1);
        int depth = 0;
        for (Token t : all) {
            switch (t.getType()) {
                case DlnLexer.UNTERMINATED_STRING -> error(Code.DLN002, span(t));
                case DlnLexer.UNTERMINATED_COMMENT -> error(Code.DLN005, new Span(source, offsets.charIndex(t.getStartIndex()), offsets.charIndex(t.getStartIndex()) + 2));
                case DlnLexer.UNEXPECTED_CHAR -> error(Code.DLN004, span(t), describeChar(t.getText()));
                default -> {
                    kept.add(t);
                    switch (t.getType()) {
                        case DlnLexer.LPAREN, DlnLexer.LBRACK, DlnLexer.LBRACE -> {
                            if (++depth > MAX_NESTING && errors == 0) {
                                error(Code.DLN007, span(t), "more than " + MAX_NESTING + " brackets inside each other");
                            }
                        }
                        case DlnLexer.RPAREN, DlnLexer.RBRACK, DlnLexer.RBRACE -> depth = Math.max(0, depth - 1);
                        default -> { }
                    }
                }
            }
        }
        return kept;
    }

    private static String describeChar(String text) {
        int cp = text.codePointAt(0);
        String name = Character.getName(cp);
        String code = String.format(Locale.ROOT, "U+%04X", cp);
        if (Character.isISOControl(cp) || Character.isWhitespace(cp)) return code + (name == null ? "" : " (" + name.toLowerCase(Locale.ROOT) + ")");
        return "`" + text + "` (" + code + ")";
    }

    private Span span(Token t) {
        if (t.getType() == Token.EOF) {
            int end = source.text().length();
            return new Span(source, end, end);
        }
        return new Span(source, offsets.charIndex(t.getStartIndex()), offsets.charIndex(t.getStopIndex() + 1));
    }

    private void error(Code code, Span span, Object... args) {
        errors++;
        diags.report(code, span, args);
    }

    /** ANTLR's syntax errors, reworded as `expected X, found Y`. */
    private final class SyntaxErrors extends BaseErrorListener {
        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col,
                                String msg, RecognitionException e) {
            Token token = (Token) offending;
            IntervalSet expected = e != null && e.getExpectedTokens() != null
                    ? e.getExpectedTokens()
                    : ((DlnParser) recognizer).getExpectedTokens();
            String found = Tokens.describe(token);
            String want = Tokens.describe(expected);
            String message = want == null ? "unexpected " + found : "expected " + want + ", found " + found;
            errors++;
            Diagnostics.Report report = diags.report(Code.DLN001, span(token), message);
            report.help(Tokens.hint(token, expected));
        }
    }

}
