package dev.tune.local;

import dev.tune.core.artifact.FileUri;
import dev.tune.core.provider.LocalSettings;
import dev.tune.core.provider.MachineSpec;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.DataSpec;
import dev.tune.core.train.OutputSpec;
import dev.tune.core.train.TrainSpec;
import dev.tune.core.train.TrainingArguments;
import dev.tune.local.jobs.TrainEntrypointDriver;
import dev.tune.local.process.EntryPoints;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Test driver playing a CLI that submits a job and exits at once: prints the job's id. The job runs
 * {@link TrainEntrypointDriver}.
 *
 * <pre>SubmitDriverMain WORK_DIR MODEL_DIR STEPS</pre>
 */
public final class SubmitDriverMain {
  private SubmitDriverMain() {}

  public static void main(String[] args) {
    Path workDir = Path.of(args[0]);
    TrainSpec spec =
        TrainSpec.builder()
            .model(BaseModel.of(new FileUri(Path.of(args[1]))))
            .data(DataSpec.of(new FileUri(workDir.resolve("train.jsonl"))))
            .training(TrainingArguments.builder().maxSteps(Integer.parseInt(args[2])).build())
            .output(OutputSpec.named("from-exited-cli"))
            .build();
    try (LocalClient client =
        LocalClient.open(
            new LocalSettings(workDir),
            LocalClient.childJvm(),
            EntryPoints.container().withTrainMain(TrainEntrypointDriver.class.getName()),
            Optional.empty())) {
      System.out.println(client.submitTraining(spec, MachineSpec.providerDefault()).id());
    }
  }
}
