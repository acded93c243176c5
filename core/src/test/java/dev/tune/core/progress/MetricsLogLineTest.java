package dev.tune.core.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tune.core.JobRef;
import dev.tune.core.job.LogLine;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MetricsLogLineTest {
  private static final JobRef JOB = new JobRef("local", "job-1");

  private static LogLine line(String text) {
    return new LogLine(Instant.EPOCH, text);
  }

  @Test
  void aMetricsObjectBecomesAnEventWithItsNumbersInOrder() {
    MetricsReported m =
        MetricsLogLine.parse(
                line(
                    "{\"type\":\"metrics\",\"step\":30,\"loss\":1.5,\"learning_rate\":2e-4,"
                        + "\"epoch\":0.5,\"note\":\"x\"}"),
                JOB)
            .orElseThrow();

    assertThat(m.step()).isEqualTo(30);
    assertThat(m.resource()).isEqualTo(JOB);
    assertThat(m.metrics())
        .containsExactly(
            java.util.Map.entry("loss", 1.5),
            java.util.Map.entry("learning_rate", 2e-4),
            java.util.Map.entry("epoch", 0.5));
  }

  @Test
  void aPrefixThatTheLogServiceAddsIsSkipped() {
    assertThat(
            MetricsLogLine.parse(
                line("2026-11-26T10:00:00Z stdout {\"type\":\"metrics\",\"step\":4,\"loss\":3}"),
                JOB))
        .hasValueSatisfying(m -> assertThat(m.metrics()).containsEntry("loss", 3.0));
  }

  @Test
  void evaluationLinesAreMetricsToo() {
    assertThat(
            MetricsLogLine.parse(line("{\"type\":\"eval\",\"step\":10,\"eval_loss\":2.01}"), JOB))
        .hasValueSatisfying(m -> assertThat(m.metrics()).containsOnlyKeys("eval_loss"));
  }

  @Test
  void otherLinesAreNotMetrics() {
    assertThat(MetricsLogLine.parse(line("step 1 loss 2.5"), JOB)).isEmpty();
    assertThat(MetricsLogLine.parse(line("{\"type\":\"state\",\"state\":\"TRAINING\"}"), JOB))
        .isEmpty();
    assertThat(MetricsLogLine.parse(line("{\"type\":\"metrics\",\"loss\":1}"), JOB))
        .as("no step")
        .isEmpty();
    assertThat(MetricsLogLine.parse(line("{\"type\":\"metrics\", broken"), JOB)).isEmpty();
  }
}
