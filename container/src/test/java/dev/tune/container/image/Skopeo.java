package dev.tune.container.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs Debian's {@code skopeo inspect}, the independent reader of what the build made. */
final class Skopeo {
  private Skopeo() {}

  static boolean installed() {
    return Files.isExecutable(Path.of("/usr/bin/skopeo"));
  }

  /** {@code skopeo inspect}: digest, layers, env, labels, architecture. */
  static JsonNode inspect(String image) throws IOException, InterruptedException {
    return run(image, false);
  }

  /** {@code skopeo inspect --config}: the image config, with the entrypoint. */
  static JsonNode config(String image) throws IOException, InterruptedException {
    return run(image, true);
  }

  private static JsonNode run(String image, boolean config)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("skopeo", "inspect", "--tls-verify=false"));
    if (config) {
      command.add("--config");
    }
    command.add(image);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
    return new ObjectMapper().readTree(output);
  }
}
