package dev.tune.trainer.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code tojson(x, ensure_ascii=False, indent=None, separators=None,
 * sort_keys=False)}: plain {@code json.dumps}, without Jinja's HTML escaping.
 */
final class ToJsonFilter implements Filter {

  private static final List<String> PARAMETERS =
      List.of("ensure_ascii", "indent", "separators", "sort_keys");

  @Override
  public String getName() {
    return "tojson";
  }

  @Override
  public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
    return filter(var, interpreter, args, Map.of());
  }

  @Override
  public Object filter(
      Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
    Object[] values = new Object[PARAMETERS.size()];
    for (int i = 0; i < args.length; i++) {
      if (i >= values.length) {
        throw new IllegalArgumentException(
            "tojson() takes at most " + values.length + " arguments, got " + args.length);
      }
      values[i] = args[i];
    }
    for (Map.Entry<String, Object> kw : kwargs.entrySet()) {
      int at = PARAMETERS.indexOf(kw.getKey());
      if (at < 0) {
        throw new IllegalArgumentException(
            "tojson() got an unexpected keyword argument '" + kw.getKey() + "'");
      }
      values[at] = kw.getValue();
    }
    PythonJson json =
        new PythonJson(
            PythonTruth.of(values[0]),
            indent(values[1]),
            separators(values[2]),
            PythonTruth.of(values[3]));
    return json.write(var);
  }

  /** json.dumps: an int indents by that many spaces, a string is used as it is. */
  private static String indent(Object value) {
    return switch (value) {
      case null -> null;
      case Number n -> " ".repeat(Math.max(0, n.intValue()));
      default -> value.toString();
    };
  }

  private static List<String> separators(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Collection<?> pair) {
      List<String> out = new ArrayList<>();
      pair.forEach(item -> out.add(String.valueOf(item)));
      return out;
    }
    throw new IllegalArgumentException("tojson separators must be a pair of strings, got " + value);
  }
}
