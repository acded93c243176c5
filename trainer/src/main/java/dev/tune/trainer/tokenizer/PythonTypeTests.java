package dev.tune.trainer.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.objects.SafeString;
import java.util.List;
import java.util.Map;

/**
 * Jinja's {@code iterable} and {@code sequence} tests answer for Python types: a string is both
 * (Llama 3.1's template tojson-quotes tool output because of that), a dict is both.
 */
final class PythonTypeTests {

  private PythonTypeTests() {}

  static List<ExpTest> all() {
    return List.of(new Test("iterable"), new Test("sequence"));
  }

  private record Test(String name) implements ExpTest {

    @Override
    public String getName() {
      return name;
    }

    @Override
    public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
      return var instanceof CharSequence
          || var instanceof SafeString
          || var instanceof Iterable<?>
          || var instanceof Map<?, ?>
          || (var != null && var.getClass().isArray());
    }
  }
}
