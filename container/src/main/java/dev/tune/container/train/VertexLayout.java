package dev.tune.container.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.core.JobRef;
import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.artifact.GcsUri;
import dev.tune.core.artifact.InvalidArtifactUriException;
import dev.tune.core.config.TrainSpecJson;
import dev.tune.core.error.BadInputException;
import dev.tune.core.storage.Storage;
import dev.tune.core.train.TrainSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Vertex AI's custom training container. Vertex names the output places in {@code AIP_MODEL_DIR},
 * {@code AIP_CHECKPOINT_DIR} and {@code AIP_TENSORBOARD_LOG_DIR} (below the job's base output
 * directory); they are {@code gs://} URIs, read and written through the Cloud Storage FUSE mount
 * ({@code /gcs/BUCKET/...}) when there is one, else through a local directory that is fetched
 * before and uploaded after the run. The adapter, metrics, report and events go to {@code output/}
 * beside the model directory ({@code TUNE_OUTPUT_DIR} overrides). Vertex shows a failed job's last
 * log lines, so the reason goes to standard error only.
 *
 * <p>The spec comes from {@code --spec URI} (a JSON file, e.g. {@code gs://bucket/job/spec.json}),
 * {@code --spec-json TEXT}, or the variables {@code TUNE_SPEC} / {@code TUNE_SPEC_JSON}.
 */
public final class VertexLayout implements TrainLayout {
  public static final String AIP_MODEL_DIR = "AIP_MODEL_DIR";
  public static final String AIP_CHECKPOINT_DIR = "AIP_CHECKPOINT_DIR";
  public static final String AIP_TENSORBOARD_LOG_DIR = "AIP_TENSORBOARD_LOG_DIR";
  public static final String JOB_ID = "CLOUD_ML_JOB_ID";
  public static final String TUNE_SPEC = "TUNE_SPEC";
  public static final String TUNE_SPEC_JSON = "TUNE_SPEC_JSON";
  public static final String TUNE_OUTPUT_DIR = "TUNE_OUTPUT_DIR";
  public static final String TUNE_WORK_DIR = "TUNE_WORK_DIR";

  /** Where Vertex mounts Cloud Storage buckets; {@code TUNE_GCS_FUSE_ROOT} overrides. */
  public static final String TUNE_GCS_FUSE_ROOT = "TUNE_GCS_FUSE_ROOT";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String jobId;
  private final Optional<String> specUri;
  private final Optional<String> specJson;
  private final Path fuseRoot;
  private final Path workDir;
  private final List<RemoteDir> remoteDirs = new ArrayList<>();
  private final JobOutputs outputs;

  private VertexLayout(
      Map<String, String> env, Optional<String> specUri, Optional<String> specJson) {
    this.jobId = env.getOrDefault(JOB_ID, "vertex-job");
    this.specUri = specUri.or(() -> nonBlank(env, TUNE_SPEC));
    this.specJson = specJson.or(() -> nonBlank(env, TUNE_SPEC_JSON));
    this.fuseRoot = Path.of(env.getOrDefault(TUNE_GCS_FUSE_ROOT, "/gcs"));
    this.workDir =
        nonBlank(env, TUNE_WORK_DIR)
            .map(Path::of)
            .orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir"), "tune-" + jobId));
    String modelText =
        nonBlank(env, AIP_MODEL_DIR)
            .orElseThrow(
                () ->
                    new BadInputException(
                        AIP_MODEL_DIR + " is not set, so the job has nowhere to put the model.",
                        "Give the custom job a base output directory"
                            + " (baseOutputDirectory.outputUriPrefix); Vertex then sets "
                            + AIP_MODEL_DIR
                            + "."));
    ArtifactUri model = parse(AIP_MODEL_DIR, modelText);
    ArtifactUri base = parent(model);
    Path modelDir = local("model", model, false);
    Path checkpoints =
        local(
            "checkpoints",
            nonBlank(env, AIP_CHECKPOINT_DIR)
                .map(t -> parse(AIP_CHECKPOINT_DIR, t))
                .orElseGet(() -> base.resolve("checkpoints")),
            true);
    Path logs =
        local(
            "logs",
            nonBlank(env, AIP_TENSORBOARD_LOG_DIR)
                .map(t -> parse(AIP_TENSORBOARD_LOG_DIR, t))
                .orElseGet(() -> base.resolve("logs")),
            false);
    Path output =
        local(
            "output",
            nonBlank(env, TUNE_OUTPUT_DIR)
                .map(t -> parse(TUNE_OUTPUT_DIR, t))
                .orElseGet(() -> base.resolve("output")),
            false);
    JobOutputs grouped = JobOutputs.under(output, checkpoints, output.resolve("events.jsonl"));
    this.outputs =
        new JobOutputs(
            modelDir,
            grouped.adapterDir(),
            grouped.metricsFile(),
            grouped.reportFile(),
            logs,
            checkpoints,
            grouped.eventsFile());
  }

  /**
   * The layout the environment describes.
   *
   * @param specUri {@code --spec}, if given
   * @param specJson {@code --spec-json}, if given
   * @throws BadInputException if {@code AIP_MODEL_DIR} is unset or a URI is malformed
   */
  public static VertexLayout fromEnvironment(
      Map<String, String> env, Optional<String> specUri, Optional<String> specJson) {
    return new VertexLayout(env, specUri, specJson);
  }

  @Override
  public JobRef job() {
    return new JobRef("vertex", jobId);
  }

  @Override
  public TrainSpec readSpec(Storage storage) {
    if (specJson.isPresent()) {
      try {
        return TrainSpecJson.read(JSON.readTree(specJson.get()));
      } catch (IOException e) {
        throw new BadInputException(
            "--spec-json is not JSON: " + e.getMessage(),
            "Pass the JSON that TrainSpecJson.write gives.",
            e);
      }
    }
    String text =
        specUri.orElseThrow(
            () ->
                new BadInputException(
                    "The job has no spec.",
                    "Pass --spec gs://BUCKET/PATH/spec.json (or --spec-json) in the container's"
                        + " arguments, or set "
                        + TUNE_SPEC
                        + "."));
    ArtifactUri uri = localize(parse("--spec", text));
    Path file = storage.fetch(uri);
    return TrainSpecJson.read(file);
  }

  @Override
  public JobOutputs outputs() {
    return outputs;
  }

  @Override
  public Optional<Path> failureFile() {
    return Optional.empty();
  }

  @Override
  public Path workDir() {
    return workDir;
  }

  /** {@code gs://BUCKET/PATH} as {@code /gcs/BUCKET/PATH} when the bucket is mounted. */
  @Override
  public ArtifactUri localize(ArtifactUri uri) {
    return mounted(uri).<ArtifactUri>map(FileUri::of).orElse(uri);
  }

  @Override
  public List<RemoteDir> remoteDirs() {
    return List.copyOf(remoteDirs);
  }

  private Optional<Path> mounted(ArtifactUri uri) {
    if (uri instanceof GcsUri gcs && Files.isDirectory(fuseRoot.resolve(gcs.bucket()))) {
      return Optional.of(fuseRoot.resolve(gcs.bucket()).resolve(gcs.object()));
    }
    return Optional.empty();
  }

  /** The local directory for an output location, registering a remote one for syncing. */
  private Path local(String name, ArtifactUri uri, boolean fetchFirst) {
    if (uri instanceof FileUri file) {
      return file.path();
    }
    Optional<Path> mount = mounted(uri);
    if (mount.isPresent()) {
      return mount.get();
    }
    Path dir = workDir.resolve("remote").resolve(name);
    remoteDirs.add(new RemoteDir(dir, uri, fetchFirst));
    return dir;
  }

  private static ArtifactUri parent(ArtifactUri uri) {
    String text = uri.toString();
    String trimmed = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    int slash = trimmed.lastIndexOf('/');
    if (uri instanceof FileUri file) {
      Path parent = file.path().getParent();
      return FileUri.of(parent != null ? parent : file.path());
    }
    if (slash <= trimmed.indexOf("://") + 2) {
      throw new BadInputException(
          AIP_MODEL_DIR + " " + text + " has no parent directory for the job's other outputs.",
          "Set " + TUNE_OUTPUT_DIR + ", or give the job a base output directory with a path.");
    }
    return ArtifactUri.parse(trimmed.substring(0, slash));
  }

  private static ArtifactUri parse(String name, String text) {
    try {
      return ArtifactUri.parse(text);
    } catch (InvalidArtifactUriException e) {
      throw new BadInputException(
          name + " is not a usable location: " + e.getMessage(),
          "Use a gs:// URI, a /gcs/ path or a local path.",
          e);
    }
  }

  private static Optional<String> nonBlank(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
  }
}
