package dev.tune.trainer.plan;

import dev.tune.core.error.BadInputException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Memory sizes as people write them: {@code 24GiB}, {@code 24GB}, {@code 512MiB}. */
public final class Bytes {

  private static final Pattern SIZE =
      Pattern.compile("(?i)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(ki?b|mi?b|gi?b|ti?b|b)?\\s*");

  private Bytes() {}

  /** Parses a size; GB is 10^9 bytes, GiB 2^30, a bare number is GiB. */
  public static long parse(String text) {
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      throw new BadInputException(
          "'" + text + "' is not a memory size", "write it as 24GiB, 24GB or 512MiB");
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "gib" : m.group(2).toLowerCase(Locale.ROOT);
    double scale =
        switch (unit) {
          case "b" -> 1;
          case "kb" -> 1e3;
          case "kib" -> 1L << 10;
          case "mb" -> 1e6;
          case "mib" -> 1L << 20;
          case "gb" -> 1e9;
          case "gib" -> 1L << 30;
          case "tb" -> 1e12;
          case "tib" -> 1L << 40;
          default -> throw new IllegalStateException(unit);
        };
    return Math.round(value * scale);
  }

  /** {@code 13.2 GiB}, {@code 640.0 MiB}. */
  public static String format(long bytes) {
    if (bytes >= 1L << 30) {
      return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
  }
}
