package dev.tune.cli;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Times in tables: UTC, to the minute. */
final class Times {
  private static final DateTimeFormatter SHORT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'").withZone(ZoneOffset.UTC);

  private Times() {}

  static String toMinute(Instant t) {
    return SHORT.format(t);
  }
}
