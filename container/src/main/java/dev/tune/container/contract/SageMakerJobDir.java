package dev.tune.container.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.container.train.SageMakerLayout;
import dev.tune.core.config.TrainSpecJson;
import dev.tune.core.train.TrainSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A directory laid out as SageMaker lays out {@code /opt/ml} for a training container:
 *
 * <pre>
 * input/config/hyperparameters.json   the spec as flat dotted keys, string values
 * input/config/inputdataconfig.json   the channels
 * input/config/resourceconfig.json    one host, algo-1
 * input/data/{model,train,eval}/      the staged channels
 * model/                              the model, uploaded as model.tar.gz
 * output/data/                        adapter, metrics, events (output.tar.gz)
 * output/failure                      the reason of a failure
 * checkpoints/                        synced with S3 by a checkpoint config
 * </pre>
 *
 * The child finds each path through the {@code SM_*} variables, and is started as {@code train}, as
 * SageMaker starts the image.
 */
record SageMakerJobDir(Path root, Map<String, String> env) implements StagedJob {
  private static final ObjectMapper JSON = new ObjectMapper();

  static SageMakerJobDir stage(Path root, String jobName, TrainSpec spec, InputStager inputs) {
    Path input = root.resolve("input");
    Path config = input.resolve("config");
    Map<String, Path> channels = inputs.stage(spec, input.resolve("data"));
    try {
      Files.createDirectories(config);
      for (String dir : List.of("model", "output/data", "checkpoints")) {
        Files.createDirectories(root.resolve(dir));
      }
      ObjectNode hyperparameters = JsonNodeFactory.instance.objectNode();
      TrainSpecJson.toFlat(spec).forEach(hyperparameters::put);
      JSON.writerWithDefaultPrettyPrinter()
          .writeValue(config.resolve("hyperparameters.json").toFile(), hyperparameters);
      ObjectNode dataConfig = JsonNodeFactory.instance.objectNode();
      channels
          .keySet()
          .forEach(
              c ->
                  dataConfig
                      .putObject(c)
                      .put("TrainingInputMode", "File")
                      .put("S3DistributionType", "FullyReplicated")
                      .put("RecordWrapperType", "None"));
      JSON.writeValue(config.resolve("inputdataconfig.json").toFile(), dataConfig);
      ObjectNode resources = JsonNodeFactory.instance.objectNode().put("current_host", "algo-1");
      resources.putArray("hosts").add("algo-1");
      resources.put("network_interface_name", "lo");
      JSON.writeValue(config.resolve("resourceconfig.json").toFile(), resources);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lay out the SageMaker job in " + root, e);
    }
    Map<String, String> env = new HashMap<>();
    env.put(SageMakerLayout.JOB_NAME, jobName);
    env.put(SageMakerLayout.SM_MODEL_DIR, root.resolve("model").toString());
    env.put(SageMakerLayout.SM_INPUT_DIR, input.toString());
    env.put(SageMakerLayout.SM_INPUT_CONFIG_DIR, config.toString());
    env.put(SageMakerLayout.SM_OUTPUT_DIR, root.resolve("output").toString());
    env.put(SageMakerLayout.SM_OUTPUT_DATA_DIR, root.resolve("output/data").toString());
    env.put(SageMakerLayout.SM_CHECKPOINT_DIR, root.resolve("checkpoints").toString());
    env.put("SM_CURRENT_HOST", "algo-1");
    env.put("SM_HOSTS", "[\"algo-1\"]");
    env.put("SM_CHANNELS", channelsJson(channels));
    channels.forEach(
        (name, dir) ->
            env.put(
                SageMakerLayout.SM_CHANNEL_PREFIX + name.toUpperCase(Locale.ROOT), dir.toString()));
    return new SageMakerJobDir(root, Map.copyOf(env));
  }

  private static String channelsJson(Map<String, Path> channels) {
    try {
      return JSON.writeValueAsString(List.copyOf(channels.keySet()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public List<String> args() {
    return List.of("train");
  }

  @Override
  public Path modelDir() {
    return root.resolve("model");
  }

  @Override
  public Path adapterDir() {
    return root.resolve("output/data/adapter");
  }

  @Override
  public Path metricsFile() {
    return root.resolve("output/data/metrics.json");
  }

  @Override
  public Path eventsFile() {
    return root.resolve("output/data/events.jsonl");
  }

  @Override
  public Optional<Path> failureFile() {
    return Optional.of(root.resolve("output/failure"));
  }
}
