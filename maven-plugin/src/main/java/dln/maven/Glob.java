package dln.maven;

import java.util.regex.Pattern;

/**
 * An Ant-style path pattern, as Maven's {@code includes} and {@code excludes} are written:
 * {@code **} spans any number of folders (none included), {@code *} and {@code ?} stay within one
 * name, and a pattern ending in {@code /} means everything below that folder.
 */
final class Glob {
    private final Pattern regex;

    Glob(String pattern) {
        String p = pattern.trim().replace('\\', '/');
        if (p.startsWith("/")) p = p.substring(1);
        if (p.endsWith("/")) p += "**";
        this.regex = Pattern.compile(translate(p));
    }

    /** Whether {@code path}, relative and separated by {@code /}, matches. */
    boolean matches(String path) {
        return regex.matcher(path).matches();
    }

    private static String translate(String p) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (p.startsWith("**/", i)) {
                re.append("(?:.*/)?");
                i += 2;
            } else if (p.startsWith("**", i)) {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
