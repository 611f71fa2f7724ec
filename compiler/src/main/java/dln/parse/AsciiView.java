package dln.parse;

import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.misc.Interval;

/**
 * The characters as the lexer should see them: every code point above ASCII reads as U+0001. No
 * lexer rule names either (outside ASCII, DLN allows any character only inside strings and
 * comments, and rejects it elsewhere), so the tokens are the same; but ANTLR's lexer caches its
 * DFA edges for ASCII only, and simulates its ATN afresh for every other character: 5 MB of
 * non-ASCII garbage took 20 s to lex, and takes under one now. Token texts come from the real
 * characters.
 */
final class AsciiView implements CharStream {
    private static final int OTHER = 1;
    private final CharStream chars;

    AsciiView(CharStream chars) {
        this.chars = chars;
    }

    @Override public int LA(int i) {
        int c = chars.LA(i);
        return c > 127 ? OTHER : c;
    }

    @Override public String getText(Interval interval) { return chars.getText(interval); }
    @Override public void consume() { chars.consume(); }
    @Override public int mark() { return chars.mark(); }
    @Override public void release(int marker) { chars.release(marker); }
    @Override public int index() { return chars.index(); }
    @Override public void seek(int index) { chars.seek(index); }
    @Override public int size() { return chars.size(); }
    @Override public String getSourceName() { return chars.getSourceName(); }
}
