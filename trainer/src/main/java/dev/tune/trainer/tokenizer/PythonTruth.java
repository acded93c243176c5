package dev.tune.trainer.tokenizer;

import java.util.Collection;
import java.util.Map;

/** Python's truth value of a template value: None, False, zero and empty containers are false. */
final class PythonTruth {

  private PythonTruth() {}

  static boolean of(Object value) {
    return switch (value) {
      case null -> false;
      case Boolean b -> b;
      case Number n -> n.doubleValue() != 0;
      case CharSequence s -> !s.isEmpty();
      case Collection<?> c -> !c.isEmpty();
      case Map<?, ?> m -> !m.isEmpty();
      default -> !(value.getClass().isArray() && java.lang.reflect.Array.getLength(value) == 0);
    };
  }
}
