package dev.tune.trainer.train;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of a run's log history, as transformers' {@code Trainer.log} records it: the training
 * metrics every {@code logging_steps}, the evaluation metrics after each evaluation, and the run's
 * summary at the end.
 *
 * <p>{@link #line()} prints it the way the Trainer prints its logs, a Python dict, e.g. {@code
 * {'loss': 2.3456, 'grad_norm': 0.812, 'learning_rate': 0.0002, 'epoch': 0.5, 'step': 10,
 * 'tokens_per_second': 1234.5}}: one line per entry, keys in a fixed order, numbers in Python's
 * {@code repr}, so log scrapers (SageMaker metric definitions, Vertex log queries) can match them
 * with a regular expression.
 *
 * @param kind what the entry reports
 * @param step the optimizer steps taken when it was logged
 * @param metrics the values by the Trainer's names, in print order ({@code step} excluded)
 */
public record TrainingLog(Kind kind, int step, Map<String, Double> metrics) {

  /** What an entry reports. */
  public enum Kind {
    /** {@code loss}, {@code grad_norm}, {@code learning_rate}, {@code epoch}, throughput. */
    TRAIN,
    /** {@code eval_loss} and the evaluation's runtime. */
    EVAL,
    /** {@code train_runtime}, {@code train_loss}, ... at the end of the run. */
    SUMMARY
  }

  public TrainingLog {
    Objects.requireNonNull(kind, "kind");
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }

  /** A metric by name; NaN when absent. */
  public double get(String name) {
    Double value = metrics.get(name);
    return value == null ? Double.NaN : value;
  }

  /** The entry as the Trainer prints it: a Python dict on one line, {@code 'step'} after epoch. */
  public String line() {
    StringBuilder out = new StringBuilder("{");
    boolean stepWritten = false;
    for (Map.Entry<String, Double> entry : metrics.entrySet()) {
      if (out.length() > 1) {
        out.append(", ");
      }
      out.append('\'').append(entry.getKey()).append("': ").append(repr(entry.getValue()));
      if (entry.getKey().equals("epoch")) {
        out.append(", 'step': ").append(step);
        stepWritten = true;
      }
    }
    if (!stepWritten) {
      out.append(out.length() > 1 ? ", " : "").append("'step': ").append(step);
    }
    return out.append('}').toString();
  }

  /** Python's {@code round(value, digits)} for the values the Trainer rounds. */
  static double round(double value, int digits) {
    if (!Double.isFinite(value)) {
      return value;
    }
    return new BigDecimal(value).setScale(digits, RoundingMode.HALF_EVEN).doubleValue();
  }

  /**
   * Python's {@code repr(float)}: the shortest digits that read back to the same double, plain
   * between 1e-4 and 1e16 ({@code 0.0002}, {@code 3.0}), scientific outside ({@code 5e-05}).
   */
  static String repr(double value) {
    if (Double.isNaN(value)) {
      return "nan";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    if (value == 0) {
      return (1 / value < 0) ? "-0.0" : "0.0";
    }
    BigDecimal shortest = new BigDecimal(Double.toString(value)).stripTrailingZeros();
    int exponent = shortest.precision() - shortest.scale() - 1;
    if (exponent < -4 || exponent >= 16) {
      String digits = shortest.unscaledValue().abs().toString();
      StringBuilder out = new StringBuilder();
      if (value < 0) {
        out.append('-');
      }
      out.append(digits.charAt(0));
      if (digits.length() > 1) {
        out.append('.').append(digits, 1, digits.length());
      }
      out.append('e').append(exponent < 0 ? '-' : '+');
      int magnitude = Math.abs(exponent);
      if (magnitude < 10) {
        out.append('0');
      }
      return out.append(magnitude).toString();
    }
    String plain = shortest.toPlainString();
    return plain.indexOf('.') < 0 ? plain + ".0" : plain;
  }
}
