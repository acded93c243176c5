package dev.tune.trainer.report;

import dev.tune.trainer.train.TrainingListener;
import dev.tune.trainer.train.TrainingLog;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a run's logs as TensorBoard scalars under transformers' {@code TensorBoardCallback} names:
 * {@code train/loss}, {@code train/learning_rate}, {@code train/grad_norm}, {@code train/epoch},
 * {@code train/tokens_per_second} at each logging step and {@code eval/loss} (and the evaluation's
 * other numbers under {@code eval/}) after each evaluation. Close it when the run ends.
 *
 * <pre>{@code
 * try (TensorBoardListener tensorBoard = TensorBoardListener.create(jobDir.resolve("output/logs"))) {
 *   QloraTrainer.builder(model, args).listener(tensorBoard)...
 * }
 * }</pre>
 */
public final class TensorBoardListener implements TrainingListener, AutoCloseable {

  private final TensorBoardWriter writer;

  private TensorBoardListener(TensorBoardWriter writer) {
    this.writer = writer;
  }

  /** A listener writing a new event file in {@code logDir}. */
  public static TensorBoardListener create(Path logDir) {
    return new TensorBoardListener(TensorBoardWriter.create(logDir));
  }

  /** The event file being written. */
  public Path file() {
    return writer.file();
  }

  @Override
  public void onLog(TrainingLog log) {
    writer.scalars(log.step(), scalars(log));
  }

  /** The scalars of one log entry by their TensorBoard tags; the run's summary has none. */
  static Map<String, Double> scalars(TrainingLog log) {
    Map<String, Double> out = new LinkedHashMap<>();
    switch (log.kind()) {
      case TRAIN -> log.metrics().forEach((name, value) -> out.put("train/" + name, value));
      case EVAL ->
          log.metrics()
              .forEach(
                  (name, value) -> {
                    if (name.startsWith("eval_")) {
                      out.put("eval/" + name.substring("eval_".length()), value);
                    }
                  });
      case SUMMARY -> {}
    }
    return out;
  }

  @Override
  public void close() {
    writer.close();
  }
}
