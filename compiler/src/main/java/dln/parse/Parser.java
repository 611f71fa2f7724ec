package dln.parse;

import dln.ast.Unit;
import dln.diag.Diag;
import dln.diag.Diagnostics;
import dln.diag.Severity;
import dln.diag.Source;
import dln.diag.Span;
import dln.grammar.DlnLexer;
import dln.grammar.DlnParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ListTokenSource;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.antlr.v4.runtime.misc.ParseCancellationException;

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
            parser.error(Diag.NestedTooDeeply, new Span(source, 0, 0), "the parser ran out of stack");
            return new Unit(source, List.of());
        }
    }

    private Unit run() {
        DlnLexer lexer = new DlnLexer(new AsciiView(CharStreams.fromString(source.text(), source.name())));
        lexer.removeErrorListeners();
        List<Token> tokens = checkTokens(lexer.getAllTokens());
        if (errors > 0) return new Unit(source, List.of());

        List<DlnParser.FileContext> trees = new ArrayList<>();
        DlnParser parser = new DlnParser(null);
        parser.removeErrorListeners();
        declarations(tokens, declaration -> {
            parser.setTokenStream(new CommonTokenStream(new ListTokenSource(declaration)));
            if (!diags.keeping(Severity.ERROR)) {   // past the errors shown: only count, without recovery or wording
                parser.setErrorHandler(COUNTING);
                try {
                    parser.file();
                } catch (ParseCancellationException e) {
                    error(Diag.SyntaxError, span(parser.getCurrentToken()));
                }
                return;
            }
            SyntaxErrors listener = new SyntaxErrors();
            parser.addErrorListener(listener);
            DlnParser.FileContext tree = parser.file();
            parser.removeErrorListener(listener);
            if (errors == 0) trees.add(tree);   // after an error the trees are not used: keep no more of them
        });
        if (errors > 0) return new Unit(source, List.of());
        AstBuilder builder = new AstBuilder(source, diags, offsets);
        List<dln.ast.Decl> decls = new ArrayList<>();
        for (DlnParser.FileContext tree : trees) decls.addAll(builder.unit(tree).decls());
        return new Unit(source, List.copyOf(decls));
    }

    /**
     * Splits the tokens into top-level declarations, each parsed on its own: a syntax error then
     * costs only its own declaration, and the parser's recovery cannot cascade into the next one.
     * A declaration starts at `import`, `const`, `block`, `model` or `train` outside any bracket,
     * or at the start of a line (so that an unclosed brace does not swallow the rest of the file).
     * Each piece ends with an end-of-file token that stands where the next declaration begins.
     */
    private static void declarations(List<Token> tokens, java.util.function.Consumer<List<Token>> parse) {
        int start = 0;
        int depth = 0;
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            boolean starts = isDeclarationKeyword(t.getType()) && (depth == 0 || t.getCharPositionInLine() == 0);
            if (starts && i > start) {
                parse.accept(piece(tokens.subList(start, i), t));
                start = i;
                depth = 0;
            }
            switch (t.getType()) {
                case DlnLexer.LPAREN, DlnLexer.LBRACK, DlnLexer.LBRACE -> depth++;
                case DlnLexer.RPAREN, DlnLexer.RBRACK, DlnLexer.RBRACE -> depth = Math.max(0, depth - 1);
                default -> { }
            }
        }
        if (start < tokens.size() || start == 0) parse.accept(new ArrayList<>(tokens.subList(start, tokens.size())));
    }

    /** The tokens of one declaration and an end-of-file token where the next one begins. */
    private static List<Token> piece(List<Token> tokens, Token next) {
        org.antlr.v4.runtime.CommonToken eof = new org.antlr.v4.runtime.CommonToken(next);
        eof.setType(Token.EOF);
        List<Token> out = new ArrayList<>(tokens.size() + 1);
        out.addAll(tokens);
        out.add(eof);
        return out;
    }

    private static boolean isDeclarationKeyword(int type) {
        return type == DlnLexer.IMPORT || type == DlnLexer.CONST || type == DlnLexer.BLOCK
                || type == DlnLexer.MODEL || type == DlnLexer.TRAIN;
    }

    /** Reports the lexer's error tokens and too-deep nesting, and returns the tokens the parser should see. */
    private List<Token> checkTokens(List<? extends Token> all) {
        List<Token> kept = new ArrayList<>(all.size() + 1);
        int depth = 0;
        for (Token t : all) {
            switch (t.getType()) {
                case DlnLexer.UNTERMINATED_STRING -> error(Diag.UnterminatedString, span(t));
                case DlnLexer.UNTERMINATED_COMMENT -> error(Diag.UnterminatedComment, new Span(source, offsets.charIndex(t.getStartIndex()), offsets.charIndex(t.getStartIndex()) + 2));
                case DlnLexer.UNEXPECTED_CHAR -> error(Diag.UnexpectedCharacter, span(t), diags.keeping(Severity.ERROR) ? describeChar(t.getText()) : null);
                default -> {
                    kept.add(t);
                    switch (t.getType()) {
                        case DlnLexer.LPAREN, DlnLexer.LBRACK, DlnLexer.LBRACE -> {
                            if (++depth > MAX_NESTING && errors == 0) {
                                error(Diag.NestedTooDeeply, span(t), "more than " + MAX_NESTING + " brackets inside each other");
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
        if (t.getType() == Token.EOF && ("EOF".equals(t.getText()) || t.getStartIndex() < 0)) {
            int end = source.text().length();
            return new Span(source, end, end);
        }
        return new Span(source, offsets.charIndex(t.getStartIndex()), offsets.charIndex(t.getStopIndex() + 1));
    }

    private void error(Diag diag, Span span, Object... args) {
        errors++;
        diags.report(diag, span, args);
    }

    /** Stops a declaration's parse at its first error, without recovering from it or wording it. */
    private static final BailErrorStrategy COUNTING = new BailErrorStrategy() {
        @Override
        public void reportError(org.antlr.v4.runtime.Parser recognizer, RecognitionException e) { }
    };

    /**
     * ANTLR's syntax errors, reworded as `expected X, found Y`. Only the first error of a
     * declaration is reported: the ones after it are nearly always echoes of the first.
     */
    private final class SyntaxErrors extends BaseErrorListener {
        private boolean reported;

        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col,
                                String msg, RecognitionException e) {
            if (reported) return;
            reported = true;
            Token token = (Token) offending;
            errors++;
            IntervalSet expected = e != null && e.getExpectedTokens() != null
                    ? e.getExpectedTokens()
                    : ((DlnParser) recognizer).getExpectedTokens();
            String found = Tokens.describe(token);
            String want = Tokens.describe(expected);
            String message = want == null ? "unexpected " + found : "expected " + want + ", found " + found;
            Diagnostics.Report report = diags.report(Diag.SyntaxError, span(token), message);
            Token previous = ((DlnParser) recognizer).getInputStream().LT(-1);
            report.help(Tokens.hint(token, previous, expected));
        }
    }

}
