package dev.tune.trainer.report;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Writes well-formed HTML/SVG: every element closed, every attribute and text escaped. The output
 * is also well-formed XML, so the report can be read back by any XML parser.
 */
final class Markup {

  private final StringBuilder out = new StringBuilder();
  private final Deque<String> open = new ArrayDeque<>();

  /** Opens {@code tag} with attributes given as name, value pairs. */
  Markup open(String tag, String... attributes) {
    start(tag, attributes);
    out.append('>');
    open.push(tag);
    return this;
  }

  /** An element with no content, e.g. {@code <circle ... />}. */
  Markup empty(String tag, String... attributes) {
    start(tag, attributes);
    out.append("/>");
    return this;
  }

  /** An element holding only text. */
  Markup element(String tag, String text, String... attributes) {
    return open(tag, attributes).text(text).close();
  }

  Markup text(String text) {
    out.append(escape(text));
    return this;
  }

  /** Text written as is: only for fixed style sheets of this package. */
  Markup trusted(String text) {
    out.append(text);
    return this;
  }

  /** Closes the innermost open element. */
  Markup close() {
    out.append("</").append(open.pop()).append('>');
    return this;
  }

  @Override
  public String toString() {
    if (!open.isEmpty()) {
      throw new IllegalStateException("unclosed elements: " + open);
    }
    return out.toString();
  }

  private void start(String tag, String... attributes) {
    if (attributes.length % 2 != 0) {
      throw new IllegalArgumentException("attributes come in name, value pairs");
    }
    out.append('<').append(tag);
    for (int i = 0; i < attributes.length; i += 2) {
      out.append(' ').append(attributes[i]).append("=\"").append(escape(attributes[i + 1]));
      out.append('"');
    }
  }

  static String escape(String text) {
    StringBuilder escaped = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> escaped.append("&amp;");
        case '<' -> escaped.append("&lt;");
        case '>' -> escaped.append("&gt;");
        case '"' -> escaped.append("&quot;");
        case '\'' -> escaped.append("&#39;");
        default -> {
          // control characters other than tab and newlines are not allowed in XML
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            escaped.append('\uFFFD');
          } else {
            escaped.append(c);
          }
        }
      }
    }
    return escaped.toString();
  }
}
