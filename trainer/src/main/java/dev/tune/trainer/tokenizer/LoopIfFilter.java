package dev.tune.trainer.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code seq|tune_loop_if(n)}: the items of {@code seq} for which loop filter {@code n} of the
 * template being rendered holds, evaluated with the loop's target names bound to each item. Jinja
 * filters before counting, so {@code loop.index} and {@code loop.last} see the kept items only.
 */
final class LoopIfFilter implements Filter {

  static final String NAME = "tune_loop_if";

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
    if (args.length != 1) {
      throw new IllegalArgumentException(NAME + " takes the index of a loop filter");
    }
    TemplateSourceCheck.LoopFilter loopFilter =
        TemplateGlobals.loopFilter(Integer.parseInt(args[0].strip()));
    List<Object> kept = new ArrayList<>();
    for (Iterator<?> it = items(var); it.hasNext(); ) {
      Object item = it.next();
      // A child scope, like the loop body's, so the bound names do not leak.
      interpreter.enterScope();
      try {
        bind(interpreter, loopFilter.targets(), item);
        Object holds =
            interpreter.resolveELExpression(loopFilter.condition(), interpreter.getLineNumber());
        if (PythonTruth.of(holds)) {
          kept.add(item);
        }
      } finally {
        interpreter.leaveScope();
      }
    }
    return kept;
  }

  private static Iterator<?> items(Object var) {
    return switch (var) {
      case null -> List.of().iterator();
      case Map<?, ?> map -> map.keySet().iterator();
      case Iterable<?> iterable -> iterable.iterator();
      case Iterator<?> iterator -> iterator;
      case Object[] array -> List.of(array).iterator();
      default -> throw new IllegalArgumentException("cannot loop over " + var.getClass().getName());
    };
  }

  private static void bind(JinjavaInterpreter interpreter, List<String> targets, Object item) {
    if (targets.size() == 1) {
      interpreter.getContext().put(targets.getFirst(), item);
      return;
    }
    List<?> parts =
        switch (item) {
          case Map.Entry<?, ?> entry -> java.util.Arrays.asList(entry.getKey(), entry.getValue());
          case List<?> list -> list;
          case Object[] array -> java.util.Arrays.asList(array);
          default ->
              throw new IllegalArgumentException(
                  "cannot unpack " + item + " into " + String.join(", ", targets));
        };
    if (parts.size() != targets.size()) {
      throw new IllegalArgumentException(
          "cannot unpack " + parts.size() + " values into " + String.join(", ", targets));
    }
    for (int i = 0; i < targets.size(); i++) {
      interpreter.getContext().put(targets.get(i), parts.get(i));
    }
  }
}
