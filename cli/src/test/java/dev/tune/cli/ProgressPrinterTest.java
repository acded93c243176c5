package dev.tune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tune.core.JobRef;
import dev.tune.core.progress.MetricsReported;
import dev.tune.core.progress.StateChanged;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgressPrinterTest {
  private final StringWriter err = new StringWriter();
  private final ProgressPrinter progress =
      new ProgressPrinter(
          new Printer(OutputFormat.TEXT, new PrintWriter(new StringWriter()), new PrintWriter(err)),
          false);
  private final JobRef job = new JobRef("local", "j");

  private void state(String state, String message) {
    progress.onEvent(new StateChanged(Instant.EPOCH, job, state, Optional.of(message)));
  }

  @Test
  void aStatusMessageThatOnlyRepeatsTheLatestMetricsIsNotPrintedAgain() {
    for (String message :
        List.of(
            "TRAINING", "TRAINING, step 2, loss 6.8", "TRAINING, step 4, loss 6.7", "MERGING")) {
      state("RUNNING", message);
    }
    state("SUCCEEDED", "MERGING, step 12, loss 6.7");

    assertThat(err.toString())
        .isEqualTo(
            "job j: RUNNING (TRAINING)\njob j: RUNNING (MERGING)\njob j: SUCCEEDED (MERGING)\n");
  }

  @Test
  void aFailureShowsItsWholeMessage() {
    state("RUNNING", "TRAINING, step 4");
    state("FAILED", "CUDA out of memory, tried to allocate 2 GiB");

    assertThat(err.toString())
        .endsWith("job j: FAILED (CUDA out of memory, tried to allocate 2 GiB)\n");
  }

  @Test
  void metricsAreOneLineWithReadableNumbers() {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("loss", 2.0);
    metrics.put("learning_rate", 2e-4);
    metrics.put("grad_norm", 0.98765);
    progress.onEvent(new MetricsReported(Instant.EPOCH, job, 10, metrics));

    assertThat(err.toString())
        .isEqualTo("step 10  loss 2  learning_rate 2.000e-04  grad_norm 0.9877\n");
  }
}
