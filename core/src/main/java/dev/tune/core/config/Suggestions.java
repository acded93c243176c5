package dev.tune.core.config;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Finds the spelling a user most likely meant, by edit distance. */
final class Suggestions {
  private Suggestions() {}

  /**
   * The candidate closest to {@code typed}, if it is close enough to be a typo (case, {@code -}
   * versus {@code _} and swapped neighbours count as small slips), or else the one candidate that
   * holds every word of it ({@code num_epochs} for {@code num_train_epochs}).
   */
  static Optional<String> closest(String typed, Collection<String> candidates) {
    Optional<String> typo = closestByEdits(typed, candidates);
    return typo.isPresent() ? typo : onlyOneWithAllWords(typed, candidates);
  }

  private static Optional<String> onlyOneWithAllWords(String typed, Collection<String> candidates) {
    List<String> words = List.of(normalize(typed).split("_"));
    List<String> matches =
        candidates.stream()
            .filter(c -> List.of(normalize(c).split("_")).containsAll(words))
            .toList();
    return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
  }

  private static Optional<String> closestByEdits(String typed, Collection<String> candidates) {
    String t = normalize(typed);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(t, normalize(candidate));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    int allowed = Math.max(1, Math.min(3, t.length() / 3));
    return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
  }

  private static String normalize(String s) {
    return s.toLowerCase(Locale.ROOT).replace('-', '_');
  }

  /**
   * Optimal string alignment distance: Levenshtein plus transposition of adjacent characters, so
   * that {@code alpah} is one edit from {@code alpha}.
   */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
