package dev.tune.trainer.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deep copies of the values handed to a template, as the JSON-like types Jinja sees: ordered
 * string-keyed maps, lists, strings, numbers, booleans, null. The copy keeps the caller's data safe
 * from the render (and from continue-final-message marking).
 */
final class TemplateValues {

  private TemplateValues() {}

  static Object copy(Object value) {
    return switch (value) {
      case null -> null;
      case Map<?, ?> map -> {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), copy(v)));
        yield out;
      }
      case Collection<?> items -> {
        List<Object> out = new ArrayList<>(items.size());
        items.forEach(item -> out.add(copy(item)));
        yield out;
      }
      case Object[] items -> copy(Arrays.asList(items));
      case ChatMessage message -> copy(message.toMap());
      case CharSequence s -> s.toString();
      case Integer i -> i.longValue();
      case Short s -> s.longValue();
      case Byte b -> b.longValue();
      case Float f -> f.doubleValue();
      case Number n -> n;
      case Boolean b -> b;
      default ->
          throw new IllegalArgumentException(
              "Chat template values must be maps, lists, strings, numbers, booleans or null; got a "
                  + value.getClass().getName());
    };
  }
}
