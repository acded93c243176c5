package dev.tune.trainer.data;

import dev.tune.core.error.BadInputException;
import java.util.Optional;

/**
 * A row that cannot become a training example: malformed, not UTF-8, a field missing or of the
 * wrong type. It names the file, the row or line, the field and a snippet of the row. With {@code
 * skip_bad_rows: true} such rows are counted and skipped instead.
 */
public final class BadRowException extends BadInputException {

  static final String SKIP_HINT = " Or set data.skip_bad_rows: true to skip and count such rows.";
  private static final int SNIPPET_CHARS = 120;

  private final RowOrigin origin;
  private final Optional<String> field;
  private final String snippet;

  BadRowException(
      RowOrigin origin, Optional<String> field, String problem, String snippet, String fix) {
    super(message(origin, field, problem, snippet), fix + SKIP_HINT);
    this.origin = origin;
    this.field = field;
    this.snippet = snippet(snippet);
  }

  private static String message(
      RowOrigin origin, Optional<String> field, String problem, String snippet) {
    String where = field.map(f -> ", field '" + f + "'").orElse("");
    String shown = snippet(snippet);
    return origin + where + ": " + problem + (shown.isEmpty() ? "" : ": " + shown);
  }

  /** The start of a row on one line, for messages. */
  static String snippet(String text) {
    String flat = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    return flat.length() <= SNIPPET_CHARS ? flat : flat.substring(0, SNIPPET_CHARS) + "...";
  }

  public RowOrigin origin() {
    return origin;
  }

  public Optional<String> field() {
    return field;
  }

  /** The start of the row as read, on one line. */
  public String snippet() {
    return snippet;
  }
}
