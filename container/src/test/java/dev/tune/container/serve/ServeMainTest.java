package dev.tune.container.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ServeMainTest {

  @Test
  void optionsOverrideTheContractsEnvironment() {
    ServerConfig c =
        ServeMain.configure(
            new String[] {
              "serve",
              "--contract",
              "vertex",
              "--model-dir",
              "/models/m",
              "--port=0",
              "--host",
              "0.0.0.0",
              "--max-batch-size",
              "4",
              "--max-batch-wait",
              "20",
              "--request-timeout",
              "9"
            },
            Map.of("TUNE_API_KEY", "k"));
    assertThat(c.contract()).isEqualTo(Contract.VERTEX);
    assertThat(c.modelDir()).isEqualTo(Path.of("/models/m"));
    assertThat(c.port()).isZero();
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.apiKey()).contains("k");
    assertThat(c.batching()).isEqualTo(new BatchingOptions(4, Duration.ofMillis(20)));
    assertThat(c.limits().requestTimeout()).isEqualTo(Duration.ofSeconds(9));
  }

  @Test
  void theContractIsDetectedFromTheEnvironment() {
    ServerConfig c =
        ServeMain.configure(
            new String[0], Map.of("AIP_HTTP_PORT", "9000", "AIP_STORAGE_URI", "/models/v"));
    assertThat(c.contract()).isEqualTo(Contract.VERTEX);
    assertThat(c.port()).isEqualTo(9000);
    assertThat(ServeMain.configure(new String[0], Map.of()).contract())
        .isEqualTo(Contract.SAGEMAKER);
  }

  @Test
  void badArgumentsAreRejectedWithUsage() {
    assertThatThrownBy(() -> ServeMain.configure(new String[] {"--bogus", "1"}, Map.of()))
        .hasMessageContaining("unknown option --bogus");
    assertThatThrownBy(() -> ServeMain.configure(new String[] {"--port"}, Map.of()))
        .hasMessageContaining("--port needs a value");
    assertThatThrownBy(() -> ServeMain.configure(new String[] {"--contract", "azure"}, Map.of()))
        .hasMessageContaining("use sagemaker or vertex");

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        ServeMain.run(
            new String[] {"--port", "eighty"},
            Map.of(),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--port must be an integer")
        .contains("usage: serve");
  }

  @Test
  void aGsStorageUriExitsWithTheReason() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        ServeMain.run(
            new String[0],
            Map.of("AIP_STORAGE_URI", "gs://bucket/model"),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("storage provider");
  }

  @Test
  void aModelThatCannotLoadExitsWith1() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        ServeMain.run(
            new String[] {
              "--model-dir", LlamaFixture.dir().resolve("nothing").toString(), "--port", "0"
            },
            Map.of(),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot be served");
  }

  /**
   * The real entrypoint in its own JVM: SIGTERM while a request waits for its batch; the request is
   * still answered, then the process exits.
   */
  @Test
  void sigtermFinishesTheRequestInFlightThenExits() throws Exception {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-Dai.djl.offline=true",
                    "-cp",
                    classPath,
                    ServeMain.class.getName(),
                    "serve",
                    "--model-dir",
                    LlamaFixture.dir().toString(),
                    "--port",
                    "0",
                    "--max-batch-wait",
                    "4000"))
            .redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("AIP_") || k.startsWith("TUNE_"));
    Process process = builder.start();
    try {
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread.ofVirtual()
          .start(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  r.lines().forEach(lines::add);
                } catch (java.io.IOException e) {
                  lines.add("read failed: " + e);
                }
              });
      int port = -1;
      Pattern listening = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
      boolean ready = false;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!ready && System.nanoTime() < until) {
        String line = lines.poll(1, TimeUnit.SECONDS);
        if (line == null) {
          continue;
        }
        Matcher m = listening.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
        ready = line.contains("model ready");
      }
      assertThat(ready).as("the server printed 'model ready', last lines: %s", lines).isTrue();

      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      CompletableFuture<HttpResponse<String>> inFlight =
          client.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/invocations"))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\": \"Hello\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      Thread.sleep(1500); // well inside the 4 s the batch waits for company
      assertThat(inFlight).isNotDone();

      process.destroy(); // SIGTERM
      HttpResponse<String> response = inFlight.get(60, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("\"predictions\"");
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook
    } finally {
      process.destroyForcibly();
    }
  }
}
