package dln.check;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean" suggestions: the closest candidate by edit distance, if it is close enough. */
final class Suggest {
    private Suggest() {}

    /** A `did you mean ...?` help line, or null when nothing is close. */
    static String didYouMean(String wrong, Collection<String> candidates) {
        String best = closest(wrong, candidates);
        return best == null ? null : "did you mean `" + best + "`?";
    }

    static String closest(String wrong, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String w = wrong.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            int d = distance(w, c.toLowerCase(Locale.ROOT));
            if (d < bestDistance || (d == bestDistance && best != null && c.compareTo(best) < 0)) {
                bestDistance = d;
                best = c;
            }
        }
        int allowed = Math.max(1, Math.min(3, wrong.length() / 3));
        if (best != null && bestDistance <= allowed) return best;
        for (String c : candidates.stream().sorted().toList()) {
            if (isAffix(w, c.toLowerCase(Locale.ROOT))) return c;
        }
        return null;
    }

    /** `learning_rate` for `lr`, `conv` for `conv2d`: one name contains the other's initials or stem. */
    private static boolean isAffix(String a, String b) {
        if (a.length() < 2 || b.length() < 2) return false;
        String initials = initials(a);
        return b.startsWith(a) || a.startsWith(b) && b.length() >= 3 || initials.equals(b) || initials(b).equals(a);
    }

    private static String initials(String s) {
        StringBuilder out = new StringBuilder();
        for (String part : s.split("_")) if (!part.isEmpty()) out.append(part.charAt(0));
        return out.toString();
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
