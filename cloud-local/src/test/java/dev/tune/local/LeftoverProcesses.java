package dev.tune.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tune.local.process.ProcessIdentity;
import dev.tune.local.store.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * Kills the job and endpoint processes a test left under a work directory, even after a failure.
 */
final class LeftoverProcesses {
  private LeftoverProcesses() {}

  static void kill(Path workDir) throws IOException, InterruptedException {
    for (Path state : stateFiles(workDir)) {
      JsonNode n = JsonFiles.read(state).orElseThrow();
      ProcessIdentity process =
          new ProcessIdentity(
              n.path("pid").asLong(), Instant.parse(n.path("process_started_at").asText()));
      // A contract job or endpoint runs the entrypoint as a child of the recorded process.
      process
          .live()
          .ifPresent(
              h -> {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
              });
      process.awaitExit(java.time.Duration.ofSeconds(10));
    }
  }

  private static List<Path> stateFiles(Path workDir) throws IOException {
    List<Path> files = new java.util.ArrayList<>();
    for (String kind : List.of("jobs", "endpoints")) {
      Path dir = workDir.resolve(kind);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> entries = Files.list(dir)) {
        entries
            .map(d -> d.resolve(kind.equals("jobs") ? "job.json" : "endpoint.json"))
            .filter(Files::isRegularFile)
            .forEach(files::add);
      }
    }
    return files;
  }
}
