package dln.lsp;

import dln.grammar.DlnLexer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;

/**
 * Where an offset lies, in the terms completion and hover need: in which declaration, in which
 * call and at which argument, in which train setting, after which token. The text before the
 * offset is lexed with the language's own lexer, so strings and comments are skipped exactly as
 * the compiler skips them; there is no parse, since text being typed is rarely valid. The word that
 * ends at the offset (being typed) is the prefix and does not count as context.
 *
 * @param scope    the declaration the offset is in
 * @param slot     what may be written at the offset
 * @param prefix   the part of a name already typed before the offset
 * @param call     the innermost call whose parentheses hold the offset, or null
 * @param label    for {@link Slot#ARGUMENT_VALUE} and {@link Slot#SETTING_VALUE}: the label before the value, or null
 * @param setting  in a train block: the key of the setting the offset is in, or null at a key
 * @param settings in a train block: the keys given before the offset
 * @param bindings in a model or block: the names bound before the offset, parameters and inputs included
 * @param previous the type of the token before the prefix, or -1 at the start
 */
record Context(Scope scope, Slot slot, String prefix, Call call, String label, String setting, Set<String> settings,
               List<String> bindings, int previous) {

    enum Scope { TOP, MODEL, BLOCK, TRAIN }

    private static final Set<String> SETTINGS = Set.copyOf(dln.check.Signatures.trainSettings());

    enum Slot {
        /** Inside a comment, a string or a number, or where nothing can be offered. */
        NONE,
        /** Between declarations. */
        DECLARATION,
        /** At the start of a statement in a model or block. */
        STATEMENT,
        /** After `->`: a layer or block. */
        PIPE_TARGET,
        /** Where any value may go: after `=`, an operator, in a list. */
        EXPRESSION,
        /** At the start of an argument of {@link #call}. */
        ARGUMENT,
        /** After `label:` in {@link #call}. */
        ARGUMENT_VALUE,
        /** At a train setting's key. */
        SETTING_KEY,
        /** At a value of {@link #setting}. */
        SETTING_VALUE
    }

    /** A call being written: its callee, the labels given so far, and how many arguments were given by position. */
    record Call(String callee, Set<String> labels, int positionals) {}

    /** The names declared anywhere in a file: blocks with their parameters, constants and models. */
    record Declarations(Map<String, List<String>> blocks, List<String> constants, List<String> models) {}

    static Context at(String text, int offset) {
        String before = text.substring(0, Math.max(0, Math.min(offset, text.length())));
        List<Token> tokens = lex(before);
        int length = before.codePointCount(0, before.length());
        String prefix = "";
        if (!tokens.isEmpty()) {
            Token last = tokens.get(tokens.size() - 1);
            boolean touches = last.getStopIndex() + 1 == length;
            if (touches && isName(last.getType())) {
                prefix = last.getText();
                tokens.remove(tokens.size() - 1);
            } else if (touches && !isSymbol(last.getType())) {
                return none(prefix);
            } else if (last.getType() == DlnLexer.UNTERMINATED_COMMENT) {
                return none(prefix);
            }
        }
        int gapFrom = tokens.isEmpty() ? 0 : before.offsetByCodePoints(0, tokens.get(tokens.size() - 1).getStopIndex() + 1);
        if (inComment(before.substring(gapFrom, before.length() - prefix.length()))) return none(prefix);
        return new Walk(tokens).run(prefix);
    }

    static Declarations declarations(String text) {
        List<Token> tokens = lex(text);
        Map<String, List<String>> blocks = new LinkedHashMap<>();
        List<String> constants = new ArrayList<>();
        List<String> models = new ArrayList<>();
        int depth = 0;
        for (int i = 0; i < tokens.size(); i++) {
            int type = tokens.get(i).getType();
            if (type == DlnLexer.LBRACE || type == DlnLexer.LPAREN || type == DlnLexer.LBRACK) depth++;
            if (type == DlnLexer.RBRACE || type == DlnLexer.RPAREN || type == DlnLexer.RBRACK) depth = Math.max(0, depth - 1);
            if (depth != 0 || i + 1 >= tokens.size() || !isName(tokens.get(i + 1).getType())) continue;
            String name = tokens.get(i + 1).getText();
            if (type == DlnLexer.CONST) constants.add(name);
            if (type == DlnLexer.MODEL) models.add(name);
            if (type == DlnLexer.BLOCK) blocks.put(name, params(tokens, i + 2));
        }
        return new Declarations(blocks, constants, models);
    }

    /** The parameter names of a block whose `(` is at {@code open}. */
    private static List<String> params(List<Token> tokens, int open) {
        List<String> out = new ArrayList<>();
        if (open >= tokens.size() || tokens.get(open).getType() != DlnLexer.LPAREN) return out;
        int depth = 0;
        for (int i = open; i < tokens.size(); i++) {
            int type = tokens.get(i).getType();
            if (type == DlnLexer.LPAREN || type == DlnLexer.LBRACK) depth++;
            if (type == DlnLexer.RPAREN || type == DlnLexer.RBRACK) depth--;
            if (depth == 0 || type == DlnLexer.LBRACE) break;
            int prev = tokens.get(i - 1 < open ? open : i - 1).getType();
            if (depth == 1 && isName(type) && i > open && (prev == DlnLexer.LPAREN || prev == DlnLexer.COMMA)) {
                out.add(tokens.get(i).getText());
            }
        }
        return out;
    }

    private static Context none(String prefix) {
        return new Context(Scope.TOP, Slot.NONE, prefix, null, null, null, Set.of(), List.of(), -1);
    }

    /** Walks the tokens before the offset, keeping a stack of open brackets. */
    private static final class Walk {
        private final List<Token> tokens;
        private final Deque<Frame> stack = new ArrayDeque<>();
        private int declKeyword = -1;
        private final List<String> params = new ArrayList<>();

        Walk(List<Token> tokens) {
            this.tokens = tokens;
        }

        Context run(String prefix) {
            for (int i = 0; i < tokens.size(); i++) step(i);
            int previous = type(tokens.size() - 1);
            Frame brace = innermostBrace();
            Scope scope = brace == null ? Scope.TOP : brace.scope;
            String setting = brace != null && brace.scope == Scope.TRAIN && brace.state != Train.KEY ? brace.key : null;
            Set<String> settings = brace == null ? Set.of() : Set.copyOf(brace.keys);
            List<String> bindings = brace == null ? List.of() : List.copyOf(brace.bindings);
            Frame top = stack.peek();
            Slot slot;
            Call call = null;
            String label = null;
            if (top == null) {
                slot = Slot.DECLARATION;
            } else if (top.type == DlnLexer.LBRACE) {
                slot = braceSlot(top, previous);
                if (slot == Slot.SETTING_KEY) setting = null;
                if (slot == Slot.SETTING_VALUE) label = top.label;
            } else if (top.type == DlnLexer.LPAREN && top.callee != null) {
                call = new Call(top.callee, Set.copyOf(top.labels), top.positionals);
                slot = argumentSlot(previous);
                if (slot == Slot.ARGUMENT_VALUE) label = tokens.get(tokens.size() - 2).getText();
            } else if (top.type == DlnLexer.LPAREN && top.declParams) {
                slot = Slot.NONE;
            } else {
                slot = previous == DlnLexer.ARROW ? Slot.PIPE_TARGET : Slot.EXPRESSION;
            }
            return new Context(scope, slot, prefix, call, label, setting, settings, bindings, previous);
        }

        private Slot braceSlot(Frame brace, int previous) {
            if (brace.scope == Scope.TRAIN) return brace.state == Train.VALUE ? Slot.SETTING_VALUE : Slot.SETTING_KEY;
            if (brace.scope == Scope.TOP) return Slot.NONE;
            if (previous == DlnLexer.ARROW) return Slot.PIPE_TARGET;
            if (previous == DlnLexer.ASSIGN || isOperator(previous)) return Slot.EXPRESSION;
            if (previous == DlnLexer.COLON || previous == DlnLexer.INPUT || previous == DlnLexer.OUTPUT) return Slot.NONE;
            return Slot.STATEMENT;
        }

        private Slot argumentSlot(int previous) {
            if (previous == DlnLexer.LPAREN || previous == DlnLexer.COMMA) return Slot.ARGUMENT;
            if (previous == DlnLexer.COLON && tokens.size() >= 2 && isName(type(tokens.size() - 2))) return Slot.ARGUMENT_VALUE;
            if (previous == DlnLexer.ARROW) return Slot.PIPE_TARGET;
            if (isOperator(previous) || previous == DlnLexer.COLON) return Slot.EXPRESSION;
            return Slot.NONE;
        }

        private void step(int i) {
            Token t = tokens.get(i);
            int type = t.getType();
            int prev = type(i - 1);
            Frame top = stack.peek();
            if (top != null && top.type == DlnLexer.LPAREN) argument(top, t, i);
            if (top != null && top.type == DlnLexer.LBRACE) statement(top, t, i);
            switch (type) {
                case DlnLexer.LBRACE -> {
                    Frame f = new Frame(type);
                    f.scope = top == null ? scopeOf(declKeyword) : top.scope;
                    if (top == null && f.scope == Scope.BLOCK) f.bindings.addAll(params);
                    stack.push(f);
                }
                case DlnLexer.LPAREN -> {
                    Frame f = new Frame(type);
                    if (top == null) {
                        f.declParams = true;
                        params.clear();
                    } else if (isName(prev)) {
                        f.callee = tokens.get(i - 1).getText();
                    }
                    stack.push(f);
                }
                case DlnLexer.LBRACK -> stack.push(new Frame(type));
                case DlnLexer.RPAREN -> close(DlnLexer.LPAREN);
                case DlnLexer.RBRACK -> close(DlnLexer.LBRACK);
                case DlnLexer.RBRACE -> {
                    close(DlnLexer.LBRACE);
                    if (stack.isEmpty()) declKeyword = -1;
                }
                default -> {
                    if (top == null && isDeclKeyword(type) && !isDeclKeyword(prev)) declKeyword = type;
                    if (top != null && top.declParams && isName(type) && (prev == DlnLexer.LPAREN || prev == DlnLexer.COMMA)) {
                        params.add(t.getText());
                    }
                }
            }
        }

        /** Tracks the labels and positional arguments of a call. */
        private void argument(Frame call, Token t, int i) {
            int type = t.getType();
            if (type == DlnLexer.COMMA) {
                if (call.argHasValue && !call.argLabeled) call.positionals++;
                call.argLabeled = false;
                call.argHasValue = false;
            } else if (type == DlnLexer.COLON && isName(type(i - 1)) && startsArgument(type(i - 2))) {
                call.labels.add(tokens.get(i - 1).getText());
                call.argLabeled = true;
                call.argHasValue = false;
            } else if (type != DlnLexer.RPAREN) {
                call.argHasValue = true;
            }
        }

        /** Tracks bindings in a model or block, and keys and values in a train block. */
        private void statement(Frame brace, Token t, int i) {
            int type = t.getType();
            if (brace.scope == Scope.MODEL || brace.scope == Scope.BLOCK) {
                boolean bound = type == DlnLexer.NAME && type(i + 1) == DlnLexer.ASSIGN
                        || isName(type) && (type(i - 1) == DlnLexer.INPUT || type(i - 1) == DlnLexer.OUTPUT);
                if (bound && !brace.bindings.contains(t.getText())) brace.bindings.add(t.getText());
                return;
            }
            if (brace.scope != Scope.TRAIN) return;
            switch (brace.state) {
                case KEY -> {
                    if (isName(type)) brace.key(t.getText());
                }
                case VALUE -> {
                    if (isName(type) && startsLine(i) && SETTINGS.contains(t.getText())) {
                        brace.key(t.getText()); // the previous setting lacks its value
                    } else if (type == DlnLexer.COLON) {
                        brace.label = isName(type(i - 1)) ? tokens.get(i - 1).getText() : null;
                    } else if (type != DlnLexer.PLUS && type != DlnLexer.MINUS && type != DlnLexer.COMMA) {
                        brace.state = Train.AFTER_VALUE;
                    }
                }
                case AFTER_VALUE -> {
                    if (type == DlnLexer.COMMA) {
                        brace.state = Train.VALUE;
                        brace.label = null;
                    } else if (type == DlnLexer.COLON) {
                        brace.state = Train.VALUE;
                        brace.label = isName(type(i - 1)) ? tokens.get(i - 1).getText() : null;
                    } else if (isOperator(type) || type == DlnLexer.ARROW) {
                        brace.state = Train.VALUE;
                    } else if (isName(type) && type(i + 1) != DlnLexer.COLON) {
                        brace.key(t.getText());
                    }
                }
                default -> { }
            }
        }

        private boolean startsLine(int i) {
            return i > 0 && tokens.get(i).getLine() > tokens.get(i - 1).getLine();
        }

        private void close(int open) {
            for (Frame f : stack) {
                if (f.type == open) {
                    while (stack.pop() != f) { /* unclosed brackets inside end here */ }
                    return;
                }
            }
        }

        private Frame innermostBrace() {
            for (Frame f : stack) if (f.type == DlnLexer.LBRACE) return f;
            return null;
        }

        private int type(int i) {
            return i >= 0 && i < tokens.size() ? tokens.get(i).getType() : -1;
        }
    }

    /** Where a train block's walk is: at a key, expecting a value, or after a complete value. */
    private enum Train { KEY, VALUE, AFTER_VALUE }

    /** An open bracket and what is known inside it. */
    private static final class Frame {
        final int type;
        Scope scope = Scope.TOP;
        String callee;
        boolean declParams;
        final Set<String> labels = new LinkedHashSet<>();
        int positionals;
        boolean argLabeled;
        boolean argHasValue;
        final List<String> bindings = new ArrayList<>();
        Train state = Train.KEY;
        String key;
        String label;
        final Set<String> keys = new LinkedHashSet<>();

        Frame(int type) {
            this.type = type;
        }

        void key(String name) {
            key = name;
            keys.add(name);
            label = null;
            state = Train.VALUE;
        }
    }

    private static Scope scopeOf(int keyword) {
        return switch (keyword) {
            case DlnLexer.MODEL -> Scope.MODEL;
            case DlnLexer.BLOCK -> Scope.BLOCK;
            case DlnLexer.TRAIN -> Scope.TRAIN;
            default -> Scope.TOP;
        };
    }

    private static List<Token> lex(String text) {
        DlnLexer lexer = new DlnLexer(CharStreams.fromString(text));
        lexer.removeErrorListeners();
        List<Token> out = new ArrayList<>();
        for (Token t = lexer.nextToken(); t.getType() != Token.EOF; t = lexer.nextToken()) out.add(t);
        return out;
    }

    /** True when the end of {@code gap}, text between tokens, lies inside a comment. */
    static boolean inComment(String gap) {
        int i = 0;
        while (i < gap.length()) {
            if (gap.startsWith("//", i)) {
                int nl = indexOfNewline(gap, i);
                if (nl < 0) return true;
                i = nl + 1;
            } else if (gap.startsWith("/*", i)) {
                int end = gap.indexOf("*/", i + 2);
                if (end < 0) return true;
                i = end + 2;
            } else {
                i++;
            }
        }
        return false;
    }

    private static int indexOfNewline(String s, int from) {
        for (int i = from; i < s.length(); i++) if (s.charAt(i) == '\n' || s.charAt(i) == '\r') return i;
        return -1;
    }

    static boolean isName(int type) {
        return type == DlnLexer.NAME || isKeyword(type);
    }

    private static boolean isKeyword(int type) {
        return type == DlnLexer.IMPORT || type == DlnLexer.CONST || type == DlnLexer.BLOCK || type == DlnLexer.MODEL
                || type == DlnLexer.TRAIN || type == DlnLexer.INPUT || type == DlnLexer.OUTPUT || type == DlnLexer.RETURN;
    }

    private static boolean isDeclKeyword(int type) {
        return type == DlnLexer.IMPORT || type == DlnLexer.CONST || type == DlnLexer.BLOCK || type == DlnLexer.MODEL
                || type == DlnLexer.TRAIN;
    }

    /** Punctuation after which a name may directly follow (unlike a number or a string). */
    private static boolean isSymbol(int type) {
        return switch (type) {
            case DlnLexer.ARROW, DlnLexer.LPAREN, DlnLexer.RPAREN, DlnLexer.LBRACE, DlnLexer.RBRACE, DlnLexer.LBRACK,
                 DlnLexer.RBRACK, DlnLexer.COMMA, DlnLexer.COLON, DlnLexer.ASSIGN, DlnLexer.PLUS, DlnLexer.MINUS,
                 DlnLexer.STAR, DlnLexer.SLASH -> true;
            default -> false;
        };
    }

    private static boolean isOperator(int type) {
        return type == DlnLexer.PLUS || type == DlnLexer.MINUS || type == DlnLexer.STAR || type == DlnLexer.SLASH;
    }

    private static boolean startsArgument(int type) {
        return type == DlnLexer.LPAREN || type == DlnLexer.COMMA;
    }
}
