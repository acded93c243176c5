package dev.tune.local.contract;

import dev.tune.container.contract.ChildJvm;
import dev.tune.container.contract.ContractRunner;
import dev.tune.container.contract.ContractTraining;
import dev.tune.container.contract.ContractTrainingResult;
import dev.tune.container.serve.Contract;
import dev.tune.core.config.TrainSpecJson;
import dev.tune.core.train.BaseModel;
import dev.tune.core.train.Secret;
import dev.tune.core.train.TrainSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A local job's process under a cloud contract: {@code ContractJobMain sagemaker|vertex JOB_DIR}.
 * It runs {@code JOB_DIR/spec.json} through {@link ContractRunner} in {@code JOB_DIR/contract/}
 * (laid out as the provider's container), relays the run's events to {@code JOB_DIR/events.jsonl},
 * collects the outputs to {@code JOB_DIR/output/}, writes {@code JOB_DIR/failure} when the run
 * fails, and exits with the run's code. A SIGTERM (a cancel) is passed on to the run, which saves a
 * checkpoint first. Started again on the same directory, the run resumes from its checkpoints.
 */
public final class ContractJobMain {
  /** The local provider's cancel kills this process 60 s after its SIGTERM. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(50);

  private static final Duration RELAY_INTERVAL = Duration.ofMillis(250);

  private ContractJobMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: ContractJobMain sagemaker|vertex JOB_DIR");
      System.exit(2);
    }
    Contract contract = Contract.valueOf(args[0].toUpperCase(Locale.ROOT));
    Path jobDir = Path.of(args[1]).toAbsolutePath().normalize();
    System.exit(run(contract, jobDir));
  }

  static int run(Contract contract, Path jobDir) throws InterruptedException, IOException {
    TrainSpec spec = withToken(TrainSpecJson.read(jobDir.resolve("spec.json")));
    Path contractDir = jobDir.resolve("contract");
    // A failure of an earlier attempt must not be read as this one's.
    Files.deleteIfExists(contractDir.resolve("output/failure"));
    ContractRunner runner =
        ContractRunner.builder(contract)
            .jvm(ChildJvm.current().withJvmOptions(List.of("-Xss4m")))
            .output(System.out::println)
            .build();
    EventRelay events =
        EventRelay.from(eventsFile(contract, contractDir), jobDir.resolve("events.jsonl"));
    ContractTraining training = runner.train(spec, contractDir);
    Thread stopOnSignal =
        new Thread(
            () -> {
              try {
                training.stop(STOP_GRACE);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              events.pump();
            });
    Runtime.getRuntime().addShutdownHook(stopOnSignal);
    Thread relay =
        Thread.ofPlatform()
            .daemon()
            .name("tune-event-relay")
            .start(
                () -> {
                  try {
                    while (!Thread.currentThread().isInterrupted()) {
                      events.pump();
                      Thread.sleep(RELAY_INTERVAL);
                    }
                  } catch (InterruptedException e) {
                    // the run ended
                  }
                });
    ContractTrainingResult result = training.await();
    relay.interrupt();
    relay.join();
    if (result.succeeded()) {
      CollectedOutputs.collect(contract, result, jobDir.resolve("output"));
    } else {
      Optional<String> reason = result.failure();
      if (reason.isPresent() && !reason.get().isBlank()) {
        Files.writeString(jobDir.resolve("failure"), reason.get(), StandardCharsets.UTF_8);
      }
    }
    events.release();
    return result.exitCode();
  }

  /** The entrypoint's events file in each provider's layout. */
  private static Path eventsFile(Contract contract, Path contractDir) {
    return switch (contract) {
      case SAGEMAKER -> contractDir.resolve("output/data/events.jsonl");
      case VERTEX -> contractDir.resolve("output/events.jsonl");
    };
  }

  /** The job's files never hold the token; the local provider passes it as {@code HF_TOKEN}. */
  private static TrainSpec withToken(TrainSpec spec) {
    String token = System.getenv("HF_TOKEN");
    if (token == null || token.isBlank() || spec.model().token().isPresent()) {
      return spec;
    }
    return spec.toBuilder()
        .model(new BaseModel(spec.model().source(), Optional.of(new Secret(token))))
        .build();
  }
}
