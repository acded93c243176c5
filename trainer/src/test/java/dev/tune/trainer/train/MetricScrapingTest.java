package dev.tune.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.core.train.TrainingArguments;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metric definitions a SageMaker training job can scrape from the trainer's log, applied to the
 * lines of a real run. SageMaker matches each regex against each log line and takes the first
 * group; these are the definitions to pass as {@code MetricDefinitions}:
 *
 * <pre>
 * train:loss              'loss': ([-+0-9.eE]+|nan|inf)
 * eval:loss               'eval_loss': ([-+0-9.eE]+|nan|inf)
 * train:learning_rate     'learning_rate': ([-+0-9.eE]+)
 * train:grad_norm         'grad_norm': ([-+0-9.eE]+|nan|inf)
 * train:tokens_per_second 'tokens_per_second': ([-+0-9.eE]+)
 * train:epoch             'loss': .*'epoch': ([-+0-9.eE]+)
 * train:step              'loss': .*'step': ([0-9]+)
 * </pre>
 */
@ExtendWith(SingleThreadedTorch.class)
class MetricScrapingTest {

  private static final String NUMBER = "([-+0-9.eE]+|nan|inf)";

  /** SageMaker metric name to regex, as documented above. */
  static final Map<String, String> DEFINITIONS = definitions();

  private static Map<String, String> definitions() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("train:loss", "'loss': " + NUMBER);
    d.put("eval:loss", "'eval_loss': " + NUMBER);
    d.put("train:learning_rate", "'learning_rate': ([-+0-9.eE]+)");
    d.put("train:grad_norm", "'grad_norm': " + NUMBER);
    d.put("train:tokens_per_second", "'tokens_per_second': ([-+0-9.eE]+)");
    d.put("train:epoch", "'loss': .*'epoch': ([-+0-9.eE]+)");
    d.put("train:step", "'loss': .*'step': ([0-9]+)");
    return d;
  }

  @TempDir Path dir;

  @Test
  void everyDefinitionScrapesExactlyTheLoggedValues() {
    List<String> lines = new ArrayList<>();
    TrainResult result;
    try (NDManager manager = NDManager.newBaseManager();
        QloraModel model =
            TrainFixtures.llama(manager, QuantizationSpec.qlora(), TrainFixtures.ALL_LINEAR, 7)) {
      result =
          QloraTrainer.builder(
                  model,
                  TrainingArguments.builder()
                      .maxSteps(6)
                      .perDeviceTrainBatchSize(4)
                      .learningRate(5e-5)
                      .warmupSteps(3)
                      .loggingSteps(2)
                      .evalSteps(3)
                      .saveSteps(1000)
                      .build())
              .outputDir(dir)
              .logSink(lines::add)
              .build()
              .train(
                  TrainFixtures.randomTexts(12, 1),
                  TrainFixtures.randomTexts(4, 2),
                  Optional.empty());
    }
    List<TrainingLog> train = ofKind(result, TrainingLog.Kind.TRAIN);
    List<TrainingLog> eval = ofKind(result, TrainingLog.Kind.EVAL);
    assertThat(train).extracting(TrainingLog::step).containsExactly(2, 4, 6);
    assertThat(eval).extracting(TrainingLog::step).containsExactly(3, 6);

    assertThat(scrape("train:loss", lines)).isEqualTo(values(train, "loss"));
    assertThat(scrape("eval:loss", lines)).isEqualTo(values(eval, "eval_loss"));
    assertThat(scrape("train:learning_rate", lines)).isEqualTo(values(train, "learning_rate"));
    assertThat(scrape("train:grad_norm", lines)).isEqualTo(values(train, "grad_norm"));
    assertThat(scrape("train:tokens_per_second", lines))
        .isEqualTo(values(train, "tokens_per_second"));
    assertThat(scrape("train:epoch", lines)).isEqualTo(values(train, "epoch"));
    assertThat(scrape("train:step", lines)).containsExactly(2.0, 4.0, 6.0);
    // rates this small print in Python's 3.3333333333333335e-05 form, which the regexes read
    assertThat(lines).anyMatch(l -> l.matches(".*'learning_rate': [0-9.]+e-0[0-9].*"));
  }

  private static List<Double> scrape(String metric, List<String> lines) {
    Pattern pattern = Pattern.compile(DEFINITIONS.get(metric));
    List<Double> found = new ArrayList<>();
    for (String line : lines) {
      Matcher m = pattern.matcher(line);
      if (m.find()) {
        found.add(Double.parseDouble(m.group(1)));
      }
    }
    return found;
  }

  private static List<TrainingLog> ofKind(TrainResult result, TrainingLog.Kind kind) {
    return result.logHistory().stream().filter(l -> l.kind() == kind).toList();
  }

  private static List<Double> values(List<TrainingLog> logs, String name) {
    return logs.stream().map(l -> l.get(name)).toList();
  }
}
