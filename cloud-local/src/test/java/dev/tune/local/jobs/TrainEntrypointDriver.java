package dev.tune.local.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Test driver standing in for the container's {@code train --contract local --job-dir DIR
 * [--resume]} where a test needs a run that is quick, slow or failing on purpose. It keeps the
 * entrypoint's file contract: reads {@code spec.json}, appends {@code events.jsonl}, saves {@code
 * checkpoints/checkpoint-N/} every 2 steps and resumes from the newest one, writes {@code
 * output/model/} and {@code output/metrics.json}, or {@code failure} and exit code 1.
 *
 * <p>{@code output.name} starting with {@code fail} makes it fail; {@code training.max_steps} sets
 * the number of 150 ms steps. It records the environment it got in {@code env.txt}.
 */
public final class TrainEntrypointDriver {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TrainEntrypointDriver() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    List<String> arguments = List.of(args);
    if (!arguments.subList(0, 3).equals(List.of("train", "--contract", "local"))
        || !arguments.get(3).equals("--job-dir")) {
      System.err.println("driver: unexpected arguments " + arguments);
      System.exit(2);
    }
    Path dir = Path.of(args[4]);
    boolean resume = arguments.contains("--resume");
    JsonNode spec = JSON.readTree(dir.resolve("spec.json").toFile());
    String name = spec.path("output").path("name").asText();
    int maxSteps = spec.path("training").path("max_steps").asInt();
    Files.writeString(
        dir.resolve("env.txt"),
        "HF_TOKEN="
            + System.getenv("HF_TOKEN")
            + "\nOPT_OUT_TRACKING="
            + System.getenv("OPT_OUT_TRACKING")
            + "\n");
    System.out.println("driver: starting " + name + (resume ? " (resume)" : ""));
    System.err.println("driver: a line on stderr");
    event(dir, "{\"type\":\"state\",\"state\":\"LOADING_MODEL\"}");
    if (name.startsWith("fail")) {
      Files.writeString(dir.resolve("failure"), "bad data: row 3 has no text\n");
      event(dir, "{\"type\":\"failed\",\"reason\":\"bad data: row 3 has no text\"}");
      System.exit(1);
    }
    int start = newestCheckpoint(dir);
    if (start > 0) {
      System.out.println("driver: resumed from checkpoint-" + start);
    }
    event(dir, "{\"type\":\"state\",\"state\":\"TRAINING\"}");
    for (int step = start + 1; step <= maxSteps; step++) {
      Thread.sleep(150);
      double loss = 2.0 / step;
      event(dir, "{\"type\":\"metrics\",\"step\":" + step + ",\"loss\":" + loss + "}");
      System.out.println("driver: step " + step + " loss " + loss);
      if (step % 2 == 0) {
        Path checkpoint = Files.createDirectories(dir.resolve("checkpoints/checkpoint-" + step));
        Files.writeString(checkpoint.resolve("state.txt"), Integer.toString(step));
      }
    }
    Path model = Files.createDirectories(dir.resolve("output/model"));
    Files.writeString(model.resolve("config.json"), "{\"model_type\":\"llama\"}");
    Files.writeString(
        dir.resolve("output/metrics.json"),
        "{\"final\":{\"train_loss\":"
            + (2.0 / maxSteps)
            + "},\"resumed_from\":"
            + start
            + ",\"samples\":[{\"prompt\":\"p\",\"before\":\"b\",\"after\":\"a\"}]}");
    event(dir, "{\"type\":\"done\"}");
    System.out.println("driver: done");
  }

  private static int newestCheckpoint(Path dir) throws IOException {
    Path checkpoints = dir.resolve("checkpoints");
    if (!Files.isDirectory(checkpoints)) {
      return 0;
    }
    try (Stream<Path> entries = Files.list(checkpoints)) {
      return entries
          .map(p -> Integer.parseInt(p.getFileName().toString().substring("checkpoint-".length())))
          .max(Comparator.naturalOrder())
          .orElse(0);
    }
  }

  private static void event(Path dir, String json) throws IOException {
    Files.writeString(
        dir.resolve("events.jsonl"),
        json + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}
