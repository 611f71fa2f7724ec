package dln.parse;

import dln.grammar.DlnLexer;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/** Words for tokens and token sets in syntax errors. */
final class Tokens {
    private Tokens() {}

    static String describe(Token token) {
        return switch (token.getType()) {
            case Token.EOF -> "EOF".equals(token.getText()) || "<EOF>".equals(token.getText()) ? "end of file"
                    : "`" + token.getText() + "`";
            case DlnLexer.NAME -> "name `" + token.getText() + "`";
            case DlnLexer.NUMBER -> "number `" + token.getText() + "`";
            case DlnLexer.STRING -> "a string";
            default -> "`" + token.getText() + "`";
        };
    }

    /** A readable list of what the parser would have accepted, or null when that is too much to list. */
    static String describe(IntervalSet expected) {
        if (expected == null || expected.isNil()) return null;
        List<Integer> types = expected.toList();
        boolean name = types.contains(DlnLexer.NAME);
        if (types.contains(DlnLexer.NUMBER) && types.contains(DlnLexer.STRING)) {
            return "an expression";
        }
        if (name && types.contains(DlnLexer.RBRACE) && types.contains(DlnLexer.OUTPUT) && types.size() <= 10) {
            return "a statement (`input`, `output`, `return` or `name = ...`) or `}`";
        }
        if (!name && types.contains(DlnLexer.MODEL) && types.contains(DlnLexer.TRAIN) && types.contains(DlnLexer.BLOCK)) {
            return "a declaration (`import`, `const`, `block`, `model` or `train`)";
        }
        List<String> words = new ArrayList<>();
        for (int type : types) {
            if (isName(type)) {
                continue;
            } else if (type == Token.EOF) {
                words.add("end of file");
            } else if (type == DlnLexer.NUMBER) {
                words.add("a number");
            } else if (type == DlnLexer.STRING) {
                words.add("a string");
            } else {
                String literal = DlnLexer.VOCABULARY.getLiteralName(type);
                if (literal != null) words.add("`" + literal.substring(1, literal.length() - 1) + "`");
            }
        }
        if (name) words.add(0, "a name");
        if (words.isEmpty() || words.size() > 6) return null;
        if (words.size() == 1) return words.get(0);
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }

    /** A help line for the mistakes people make most. */
    static String hint(Token found, Token previous, IntervalSet expected) {
        if (expected == null) return null;
        if (previous != null && found.getType() == DlnLexer.ASSIGN
                && (previous.getType() == DlnLexer.INPUT || previous.getType() == DlnLexer.OUTPUT || previous.getType() == DlnLexer.RETURN)) {
            return "`" + previous.getText() + "` is a keyword that begins a statement; choose another name for the value";
        }
        if (previous != null && found.getLine() > previous.getLine()
                && (expected.contains(DlnLexer.RPAREN) || expected.contains(DlnLexer.RBRACK))) {
            return "a bracket opened on line " + previous.getLine() + " or before is not closed";
        }
        if (found.getType() == DlnLexer.ASSIGN
                && (expected.contains(DlnLexer.COLON) || expected.contains(DlnLexer.RPAREN) || expected.contains(DlnLexer.COMMA))) {
            return "named arguments and types use `:`, as in `kernel: 5` or `input x: [2]`";
        }
        if (found.getType() == DlnLexer.COLON && expected.contains(DlnLexer.ASSIGN)) {
            return "bindings use `=`, as in `h = x -> relu`";
        }
        if (isName(found.getType()) && found.getType() != DlnLexer.NAME && expected.contains(DlnLexer.RBRACE)) {
            return "`" + found.getText() + "` is a keyword that begins a statement; choose another name";
        }
        if (found.getType() == DlnLexer.STRING && expected.contains(DlnLexer.NAME) && !expected.contains(DlnLexer.STRING)) {
            return "names are written without quotes";
        }
        return null;
    }

    private static boolean isName(int type) {
        return type == DlnLexer.NAME || type == DlnLexer.IMPORT || type == DlnLexer.CONST || type == DlnLexer.BLOCK
                || type == DlnLexer.MODEL || type == DlnLexer.TRAIN || type == DlnLexer.INPUT
                || type == DlnLexer.OUTPUT || type == DlnLexer.RETURN;
    }
}
