package dev.tune.trainer.tokenizer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Serializes template values the way Python's {@code json.dumps} does, which is what transformers'
 * {@code tojson} filter calls: same separators, same escapes, same float spelling, dict keys in
 * insertion order unless sorted.
 */
final class PythonJson {

  private final boolean ensureAscii;
  private final String indent;
  private final String itemSeparator;
  private final String keySeparator;
  private final boolean sortKeys;

  /**
   * Options of {@code json.dumps}.
   *
   * @param indent null for a single line, else the string repeated once per nesting level
   * @param separators null for Python's defaults, else {item separator, key separator}
   */
  PythonJson(boolean ensureAscii, String indent, List<String> separators, boolean sortKeys) {
    this.ensureAscii = ensureAscii;
    this.indent = indent;
    if (separators != null) {
      if (separators.size() != 2) {
        throw new IllegalArgumentException(
            "tojson separators must be a pair (item_separator, key_separator), got " + separators);
      }
      this.itemSeparator = separators.get(0);
      this.keySeparator = separators.get(1);
    } else {
      // json.dumps drops the space after ',' when indenting, to avoid trailing whitespace.
      this.itemSeparator = indent == null ? ", " : ",";
      this.keySeparator = ": ";
    }
    this.sortKeys = sortKeys;
  }

  /** {@code json.dumps(value)} with transformers' defaults ({@code ensure_ascii=False}). */
  static String dumps(Object value) {
    return new PythonJson(false, null, null, false).write(value);
  }

  String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out, 0);
    return out.toString();
  }

  private void write(Object value, StringBuilder out, int level) {
    switch (value) {
      case null -> out.append("null");
      case Boolean b -> out.append(b ? "true" : "false");
      case CharSequence s -> writeString(s.toString(), out);
      case Character c -> writeString(c.toString(), out);
      case Double d -> out.append(floatRepr(d));
      case Float f -> out.append(floatRepr(f.doubleValue()));
      case BigDecimal d -> out.append(floatRepr(d.doubleValue()));
      case Number n -> out.append(n instanceof BigInteger big ? big.toString() : n.longValue());
      case Map<?, ?> map -> writeMap(map, out, level);
      case Collection<?> items -> writeList(items, out, level);
      case Object[] items -> writeList(List.of(items), out, level);
      default ->
          throw new IllegalArgumentException(
              "Object of type " + value.getClass().getSimpleName() + " is not JSON serializable");
    }
  }

  private void writeList(Collection<?> items, StringBuilder out, int level) {
    if (items.isEmpty()) {
      out.append("[]");
      return;
    }
    out.append('[');
    boolean first = true;
    for (Object item : items) {
      if (!first) {
        out.append(itemSeparator);
      }
      first = false;
      newline(out, level + 1);
      write(item, out, level + 1);
    }
    newline(out, level);
    out.append(']');
  }

  private void writeMap(Map<?, ?> map, StringBuilder out, int level) {
    if (map.isEmpty()) {
      out.append("{}");
      return;
    }
    List<Map.Entry<String, Object>> entries = new ArrayList<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      entries.add(Map.entry(keyString(e.getKey()), nullSafe(e.getValue())));
    }
    if (sortKeys) {
      entries.sort(Map.Entry.comparingByKey());
    }
    out.append('{');
    boolean first = true;
    for (Map.Entry<String, Object> e : entries) {
      if (!first) {
        out.append(itemSeparator);
      }
      first = false;
      newline(out, level + 1);
      writeString(e.getKey(), out);
      out.append(keySeparator);
      write(unwrapNull(e.getValue()), out, level + 1);
    }
    newline(out, level);
    out.append('}');
  }

  // Map.entry rejects null values; a private marker carries JSON null through the sort.
  private static final Object NULL = new Object();

  private static Object nullSafe(Object value) {
    return value == null ? NULL : value;
  }

  private static Object unwrapNull(Object value) {
    return value == NULL ? null : value;
  }

  /** Python converts these key types to strings; anything else is a TypeError. */
  private static String keyString(Object key) {
    return switch (key) {
      case null -> "null";
      case CharSequence s -> s.toString();
      case Boolean b -> b ? "true" : "false";
      case Double d -> floatRepr(d);
      case Float f -> floatRepr(f.doubleValue());
      case Number n -> n.toString();
      default ->
          throw new IllegalArgumentException(
              "keys must be str, int, float, bool or None, not " + key.getClass().getSimpleName());
    };
  }

  private void newline(StringBuilder out, int level) {
    if (indent != null) {
      out.append('\n');
      out.append(indent.repeat(level));
    }
  }

  private void writeString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || (ensureAscii && c > 0x7e)) {
            // Java strings are UTF-16 already, so astral characters come out as the surrogate
            // pairs Python writes for them.
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Python's {@code repr(float)}: shortest round-trip digits, exponent form outside 1e-4..1e16. */
  static String floatRepr(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    if (d == 0) {
      return (1 / d) < 0 ? "-0.0" : "0.0";
    }
    // Double.toString gives the shortest decimal that round-trips (JDK 19+), as Python's repr.
    BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    String digits = exact.unscaledValue().toString();
    int pointPosition = digits.length() - exact.scale();
    String sign = d < 0 ? "-" : "";
    if (pointPosition > -4 && pointPosition <= 16) {
      if (pointPosition <= 0) {
        return sign + "0." + "0".repeat(-pointPosition) + digits;
      }
      if (pointPosition >= digits.length()) {
        return sign + digits + "0".repeat(pointPosition - digits.length()) + ".0";
      }
      return sign + digits.substring(0, pointPosition) + "." + digits.substring(pointPosition);
    }
    int exponent = pointPosition - 1;
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    String exp = String.format("%02d", Math.abs(exponent));
    return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp;
  }
}
