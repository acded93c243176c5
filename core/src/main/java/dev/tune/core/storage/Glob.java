package dev.tune.core.storage;

import java.util.regex.Pattern;

/**
 * A file name pattern as the Hub's clients read them (Python's {@code fnmatch}): {@code *} matches
 * any characters, {@code /} included; {@code ?} matches one; {@code [abc]} and {@code [!abc]} match
 * one of or none of a set. A pattern ending in {@code /} matches everything below that folder.
 */
public final class Glob {
  private final String text;
  private final Pattern regex;

  private Glob(String text, Pattern regex) {
    this.text = text;
    this.regex = regex;
  }

  /**
   * Compiles {@code pattern}.
   *
   * @throws IllegalArgumentException if it is empty
   */
  public static Glob of(String pattern) {
    if (pattern.isEmpty()) {
      throw new IllegalArgumentException("a file pattern must not be empty");
    }
    String effective = pattern.endsWith("/") ? pattern + "*" : pattern;
    return new Glob(pattern, Pattern.compile(toRegex(effective), Pattern.DOTALL));
  }

  private static String toRegex(String glob) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < glob.length()) {
      char c = glob.charAt(i++);
      switch (c) {
        case '*' -> out.append(".*");
        case '?' -> out.append('.');
        case '[' -> {
          int first = i < glob.length() && glob.charAt(i) == '!' ? i + 1 : i;
          // A ']' right after the opening (or after '!') is a member, not the end.
          int close = glob.indexOf(']', first < glob.length() ? first + 1 : first);
          if (close < 0) {
            out.append("\\[");
          } else {
            out.append('[');
            if (first > i) {
              out.append('^');
            }
            for (char m : glob.substring(first, close).toCharArray()) {
              if ("\\[]^&".indexOf(m) >= 0) {
                out.append('\\');
              }
              out.append(m);
            }
            out.append(']');
            i = close + 1;
          }
        }
        default -> out.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return out.toString();
  }

  /** Whether {@code path} (relative, {@code /}-separated) matches the whole pattern. */
  public boolean matches(String path) {
    return regex.matcher(path).matches();
  }

  @Override
  public String toString() {
    return text;
  }
}
