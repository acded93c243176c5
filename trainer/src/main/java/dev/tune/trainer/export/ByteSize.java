package dev.tune.trainer.export;

import dev.tune.core.error.BadInputException;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes written as transformers' {@code max_shard_size} accepts them: a byte count, or a number
 * with a unit, decimal ({@code KB}, {@code MB}, {@code GB}: powers of 1000) or binary ({@code KiB},
 * {@code MiB}, {@code GiB}: powers of 1024). {@code "5GB"} is 5,000,000,000 bytes.
 */
public final class ByteSize {

  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]i?b|b)?", Pattern.CASE_INSENSITIVE);

  private ByteSize() {}

  /** Bytes of {@code text}; at least 1. */
  public static long parse(String text) {
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches()) {
      throw invalid(text);
    }
    BigDecimal number = new BigDecimal(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    long factor =
        switch (unit) {
          case "b" -> 1L;
          case "kb" -> 1_000L;
          case "mb" -> 1_000_000L;
          case "gb" -> 1_000_000_000L;
          case "tb" -> 1_000_000_000_000L;
          case "kib" -> 1L << 10;
          case "mib" -> 1L << 20;
          case "gib" -> 1L << 30;
          case "tib" -> 1L << 40;
          default -> throw invalid(text);
        };
    BigDecimal bytes = number.multiply(BigDecimal.valueOf(factor));
    if (bytes.compareTo(BigDecimal.ONE) < 0
        || bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw invalid(text);
    }
    return bytes.longValue();
  }

  private static BadInputException invalid(String text) {
    return new BadInputException(
        "'" + text + "' is not a size.",
        "Write a byte count or a number with a unit, like 5GB, 500MB or 2GiB.");
  }
}
