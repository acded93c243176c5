package dev.tune.core.progress;

import dev.tune.core.ResourceRef;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A training run logged metrics, as transformers' {@code Trainer} logs them: {@code loss}, {@code
 * grad_norm}, {@code learning_rate}, {@code epoch} every {@code logging_steps}; {@code eval_loss}
 * after each evaluation; {@code train_loss} and the run's throughput at the end.
 *
 * @param time when they were logged
 * @param resource the training job
 * @param step the optimizer steps taken so far
 * @param metrics the values by the Trainer's names, in the order logged
 */
public record MetricsReported(
    Instant time, ResourceRef resource, long step, Map<String, Double> metrics)
    implements ProgressEvent {
  public MetricsReported {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(resource, "resource");
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }
}
