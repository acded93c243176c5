package dev.tune.container.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.JobRef;
import dev.tune.trainer.report.Sample;
import dev.tune.trainer.train.TrainResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code metrics.json}: the run's final metrics and the sample answers before and after training.
 * The local registry keeps it as the model's metadata, so {@code tune run} can show base vs tuned
 * answers whichever provider trained the model.
 *
 * <pre>
 * {"job": "local:my-job",
 *  "final": {"train_loss": 1.9, "eval_loss": 2.0, "global_step": 200, "train_runtime": ..., ...},
 *  "stopped_early": false, "stopped_by_early_stopping": false,
 *  "samples": [{"prompt": "...", "before": "...", "after": "..."}]}
 * </pre>
 */
final class MetricsJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MetricsJson() {}

  static ObjectNode of(JobRef job, TrainResult result, List<Sample> samples) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("job", job.toString());
    Map<String, Double> metrics = new TreeMap<>(result.metrics());
    metrics.put("train_loss", result.trainLoss());
    result.evalLoss().ifPresent(l -> metrics.put("eval_loss", l));
    ObjectNode finals = root.putObject("final");
    metrics.forEach(finals::put);
    finals.put("global_step", result.globalStep());
    root.put("stopped_early", result.stoppedEarly());
    root.put("stopped_by_early_stopping", result.stoppedByEarlyStopping());
    ArrayNode list = root.putArray("samples");
    for (Sample s : samples) {
      list.addObject().put("prompt", s.prompt()).put("before", s.before()).put("after", s.after());
    }
    return root;
  }

  static void write(Path file, ObjectNode metrics) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), metrics);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
