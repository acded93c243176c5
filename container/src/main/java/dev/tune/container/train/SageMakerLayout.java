package dev.tune.container.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.core.JobRef;
import dev.tune.core.config.TrainSpecJson;
import dev.tune.core.error.BadInputException;
import dev.tune.core.storage.Storage;
import dev.tune.core.train.TrainSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * SageMaker's training container: the spec is {@code input/config/hyperparameters.json} (flat
 * dotted tune.yaml keys, see {@link TrainSpecJson#fromFlat}), staged inputs are channels ({@code
 * input/data/model}, {@code train}, {@code eval}), the model goes to {@code /opt/ml/model}
 * (uploaded as model.tar.gz), the adapter, metrics, report and events to {@code
 * /opt/ml/output/data} (output.tar.gz), TensorBoard files to {@code /opt/ml/output/tensorboard},
 * checkpoints to {@code /opt/ml/checkpoints} (synced to S3 when the job has a checkpoint config)
 * and the reason of a failure to {@code /opt/ml/output/failure}, which SageMaker shows as the job's
 * FailureReason.
 *
 * <p>Each path comes from the {@code SM_*} variable the SageMaker training toolkit defines, else
 * its {@code /opt/ml} default; SageMaker itself sets none of them, local runs set all. {@code
 * SM_CHECKPOINT_DIR} is tune's own (SageMaker has no variable for the checkpoint path).
 */
public final class SageMakerLayout implements TrainLayout {
  static final String OPT_ML = "/opt/ml";
  static final String HYPERPARAMETERS = "hyperparameters.json";

  public static final String JOB_NAME = "TRAINING_JOB_NAME";
  public static final String SM_MODEL_DIR = "SM_MODEL_DIR";
  public static final String SM_INPUT_DIR = "SM_INPUT_DIR";
  public static final String SM_INPUT_CONFIG_DIR = "SM_INPUT_CONFIG_DIR";
  public static final String SM_OUTPUT_DIR = "SM_OUTPUT_DIR";
  public static final String SM_OUTPUT_DATA_DIR = "SM_OUTPUT_DATA_DIR";
  public static final String SM_CHECKPOINT_DIR = "SM_CHECKPOINT_DIR";
  public static final String SM_CHANNEL_PREFIX = "SM_CHANNEL_";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String jobName;
  private final Path modelDir;
  private final Path inputDir;
  private final Path inputConfigDir;
  private final Path outputDir;
  private final Path outputDataDir;
  private final Path checkpointDir;
  private final Map<String, Path> channelOverrides;

  private SageMakerLayout(Map<String, String> env) {
    Path root = Path.of(OPT_ML);
    this.jobName = env.getOrDefault(JOB_NAME, "sagemaker-job");
    this.modelDir = path(env, SM_MODEL_DIR, root.resolve("model"));
    this.inputDir = path(env, SM_INPUT_DIR, root.resolve("input"));
    this.inputConfigDir = path(env, SM_INPUT_CONFIG_DIR, inputDir.resolve("config"));
    this.outputDir = path(env, SM_OUTPUT_DIR, root.resolve("output"));
    this.outputDataDir = path(env, SM_OUTPUT_DATA_DIR, outputDir.resolve("data"));
    this.checkpointDir = path(env, SM_CHECKPOINT_DIR, root.resolve("checkpoints"));
    Map<String, Path> channels = new HashMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith(SM_CHANNEL_PREFIX) && !v.isBlank()) {
            channels.put(
                k.substring(SM_CHANNEL_PREFIX.length()).toLowerCase(Locale.ROOT), Path.of(v));
          }
        });
    this.channelOverrides = Map.copyOf(channels);
  }

  /** The layout the environment describes, with {@code /opt/ml} defaults. */
  public static SageMakerLayout fromEnvironment(Map<String, String> env) {
    return new SageMakerLayout(env);
  }

  private static Path path(Map<String, String> env, String name, Path fallback) {
    String value = env.get(name);
    return value == null || value.isBlank() ? fallback : Path.of(value);
  }

  @Override
  public JobRef job() {
    return new JobRef("sagemaker", jobName);
  }

  /**
   * Reads hyperparameters.json. SageMaker passes every value as a string; other JSON values are
   * taken as their text.
   */
  @Override
  public TrainSpec readSpec(Storage storage) {
    Path file = inputConfigDir.resolve(HYPERPARAMETERS);
    JsonNode tree;
    try {
      tree = JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new BadInputException(
          file + " does not exist, so the job has no spec.",
          "Pass the spec as the training job's hyperparameters (TrainSpecJson.toFlat).",
          e);
    } catch (IOException e) {
      throw new BadInputException(
          file + " is not readable JSON: " + e.getMessage(),
          "Pass the spec as the training job's hyperparameters (TrainSpecJson.toFlat).",
          e);
    }
    if (tree == null || !tree.isObject()) {
      throw new BadInputException(
          file + " does not hold a JSON object.",
          "Pass the spec as the training job's hyperparameters (TrainSpecJson.toFlat).");
    }
    Map<String, String> flat = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : tree.properties()) {
      flat.put(
          e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
    }
    return TrainSpecJson.fromFlat(flat);
  }

  @Override
  public JobOutputs outputs() {
    return new JobOutputs(
        modelDir,
        outputDataDir.resolve("adapter"),
        outputDataDir.resolve("metrics.json"),
        outputDataDir.resolve("report.html"),
        outputDir.resolve("tensorboard"),
        checkpointDir,
        outputDataDir.resolve("events.jsonl"));
  }

  @Override
  public Optional<Path> failureFile() {
    return Optional.of(outputDir.resolve("failure"));
  }

  /** Beside the model directory, on the job's storage volume. */
  @Override
  public Path workDir() {
    return modelDir.resolveSibling("tune-work");
  }

  /** {@code SM_CHANNEL_<NAME>}, else {@code input/data/<name>} when SageMaker staged it. */
  @Override
  public Optional<Path> channel(String channel) {
    Path override = channelOverrides.get(channel);
    if (override != null) {
      return Optional.of(override);
    }
    Path staged = inputDir.resolve("data").resolve(channel);
    return Files.isDirectory(staged) && !isEmpty(staged) ? Optional.of(staged) : Optional.empty();
  }

  private static boolean isEmpty(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return true;
    }
  }
}
