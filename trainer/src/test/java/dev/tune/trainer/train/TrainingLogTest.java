package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingLogTest {

  @Test
  void printsFloatsAsPythonReprDoes() {
    assertThat(TrainingLog.repr(1.2345)).isEqualTo("1.2345");
    assertThat(TrainingLog.repr(3.0)).isEqualTo("3.0");
    assertThat(TrainingLog.repr(0.0002)).isEqualTo("0.0002");
    assertThat(TrainingLog.repr(0.0001)).isEqualTo("0.0001");
    assertThat(TrainingLog.repr(5e-05)).isEqualTo("5e-05");
    assertThat(TrainingLog.repr(1.5e-05)).isEqualTo("1.5e-05");
    assertThat(TrainingLog.repr(-2.5e-07)).isEqualTo("-2.5e-07");
    assertThat(TrainingLog.repr(1e16)).isEqualTo("1e+16");
    assertThat(TrainingLog.repr(123456789.0)).isEqualTo("123456789.0");
    assertThat(TrainingLog.repr(0.1 + 0.2)).isEqualTo("0.30000000000000004");
    assertThat(TrainingLog.repr(Double.NaN)).isEqualTo("nan");
    assertThat(TrainingLog.repr(Double.POSITIVE_INFINITY)).isEqualTo("inf");
    assertThat(TrainingLog.repr(0.0)).isEqualTo("0.0");
  }

  @Test
  void roundsHalfEvenOnTheDecimalValue() {
    assertThat(TrainingLog.round(2.34567, 4)).isEqualTo(2.3457);
    assertThat(TrainingLog.round(0.00005, 4)).isEqualTo(0.0001);
    assertThat(TrainingLog.round(Double.NaN, 4)).isNaN();
  }

  @Test
  void aLineIsAPythonDictWithTheStepAfterTheEpoch() {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("loss", 2.3456);
    metrics.put("grad_norm", 0.75);
    metrics.put("learning_rate", 2e-05);
    metrics.put("epoch", 0.5);
    metrics.put("tokens_per_second", 1234.5);
    TrainingLog log = new TrainingLog(TrainingLog.Kind.TRAIN, 10, metrics);
    assertThat(log.line())
        .isEqualTo(
            "{'loss': 2.3456, 'grad_norm': 0.75, 'learning_rate': 2e-05, 'epoch': 0.5,"
                + " 'step': 10, 'tokens_per_second': 1234.5}");
    assertThat(log.get("loss")).isEqualTo(2.3456);
    assertThat(log.get("eval_loss")).isNaN();
  }
}
