package dev.tune.container.contract;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tune.container.train.VertexLayout;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.config.TrainSpecJson;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.TrainSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A directory laid out as a Vertex AI custom job's base output directory, with the inputs staged as
 * a Cloud Storage FUSE mount would show them:
 *
 * <pre>
 * gcs/inputs/{model,train,eval}/   the staged inputs; the spec points at them
 * gcs/spec.json                    the spec, passed as --spec
 * model/                           AIP_MODEL_DIR
 * checkpoints/                     AIP_CHECKPOINT_DIR
 * logs/                            AIP_TENSORBOARD_LOG_DIR
 * output/                          adapter, metrics, report, events
 * </pre>
 *
 * The child is started as {@code train --contract vertex --spec .../spec.json}, the arguments the
 * Vertex provider gives its custom job.
 */
record VertexJobDir(Path root, Map<String, String> env, Path specFile) implements StagedJob {
  private static final ObjectMapper JSON = new ObjectMapper();

  static VertexJobDir stage(Path root, String jobId, TrainSpec spec, InputStager inputs) {
    Path gcs = root.resolve("gcs");
    Map<String, Path> channels = inputs.stage(spec, gcs.resolve("inputs"));
    DataSpec.Builder data = spec.data().toBuilder().train(FileUri.of(channels.get("train")));
    if (channels.containsKey("eval")) {
      data.eval(FileUri.of(channels.get("eval")));
    }
    TrainSpec staged =
        spec.toBuilder()
            .model(BaseModel.of(FileUri.of(channels.get("model"))))
            .data(data.build())
            .build();
    Path specFile = gcs.resolve("spec.json");
    try {
      for (String dir : List.of("model", "checkpoints", "logs", "output", "work")) {
        Files.createDirectories(root.resolve(dir));
      }
      JSON.writerWithDefaultPrettyPrinter()
          .writeValue(specFile.toFile(), TrainSpecJson.write(staged));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lay out the Vertex job in " + root, e);
    }
    Map<String, String> env = new HashMap<>();
    env.put(VertexLayout.JOB_ID, jobId);
    env.put(VertexLayout.AIP_MODEL_DIR, root.resolve("model").toString());
    env.put(VertexLayout.AIP_CHECKPOINT_DIR, root.resolve("checkpoints").toString());
    env.put(VertexLayout.AIP_TENSORBOARD_LOG_DIR, root.resolve("logs").toString());
    env.put(VertexLayout.TUNE_WORK_DIR, root.resolve("work").toString());
    // No bucket is mounted here; the host's own /gcs must not stand in for one.
    env.put(VertexLayout.TUNE_GCS_FUSE_ROOT, gcs.resolve("mounts").toString());
    return new VertexJobDir(root, Map.copyOf(env), specFile);
  }

  @Override
  public List<String> args() {
    return List.of("train", "--contract", "vertex", "--spec", specFile.toString());
  }

  @Override
  public Path modelDir() {
    return root.resolve("model");
  }

  @Override
  public Path adapterDir() {
    return root.resolve("output/adapter");
  }

  @Override
  public Path metricsFile() {
    return root.resolve("output/metrics.json");
  }

  @Override
  public Path eventsFile() {
    return root.resolve("output/events.jsonl");
  }

  @Override
  public Optional<Path> failureFile() {
    return Optional.empty();
  }
}
