package dln.maven;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GlobTest {
    @Test
    void doubleStarSpansNoneOrManyFolders() {
        Glob g = new Glob("**/*.dln");
        assertThat(g.matches("net.dln")).isTrue();
        assertThat(g.matches("com/acme/net.dln")).isTrue();
        assertThat(g.matches("net.dln.bak")).isFalse();
        assertThat(g.matches("com/acme/net.txt")).isFalse();
    }

    @Test
    void singleStarAndQuestionMarkStayInOneFolder() {
        assertThat(new Glob("*.dln").matches("com/net.dln")).isFalse();
        assertThat(new Glob("com/?et.dln").matches("com/net.dln")).isTrue();
        assertThat(new Glob("com/*/x.dln").matches("com/a/b/x.dln")).isFalse();
    }

    @Test
    void aTrailingSlashMeansEverythingBelow() {
        assertThat(new Glob("blocks/").matches("blocks/common.dln")).isTrue();
        assertThat(new Glob("blocks/").matches("blocks/deep/common.dln")).isTrue();
        assertThat(new Glob("blocks/").matches("other/common.dln")).isFalse();
    }

    @Test
    void dotsAndOtherRegexCharactersAreLiteral() {
        assertThat(new Glob("a+b.dln").matches("a+b.dln")).isTrue();
        assertThat(new Glob("a.dln").matches("aXdln")).isFalse();
    }
}
