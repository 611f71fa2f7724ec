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

    /**
     * Linear in the number of candidates, each compared only as far as the allowed distance: a
     * candidate whose length differs by more is skipped at once.
     */
    static String closest(String wrong, Collection<String> candidates) {
        String w = wrong.toLowerCase(Locale.ROOT);
        int allowed = Math.max(1, Math.min(3, wrong.length() / 3));
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(w, c.toLowerCase(Locale.ROOT), allowed);
            if (d > allowed) continue;
            if (d < bestDistance || (d == bestDistance && best != null && c.compareTo(best) < 0)) {
                bestDistance = d;
                best = c;
            }
        }
        if (best != null) return best;
        String affix = null;
        for (String c : candidates) {
            if ((affix == null || c.compareTo(affix) < 0) && isAffix(w, c.toLowerCase(Locale.ROOT))) affix = c;
        }
        return affix;
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

    /**
     * Optimal string alignment distance (insertions, deletions, substitutions and adjacent swaps)
     * if it is at most {@code limit}, else {@code limit + 1}: a row whose every entry exceeds the
     * limit ends the search (no later row can come back under it). Three rows, no table.
     */
    static int distance(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) > limit) return limit + 1;
        int[] before = new int[b.length() + 1];
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            int rowMin = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int d = Math.min(Math.min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d = Math.min(d, before[j - 2] + 1);
                }
                current[j] = d;
                rowMin = Math.min(rowMin, d);
            }
            if (rowMin > limit) return limit + 1;
            int[] spare = before;
            before = previous;
            previous = current;
            current = spare;
        }
        return Math.min(previous[b.length()], limit + 1);
    }
}
