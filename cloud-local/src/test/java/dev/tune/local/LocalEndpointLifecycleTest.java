package dev.tune.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.EndpointRef;
import dev.tune.core.ModelRef;
import dev.tune.core.artifact.FileUri;
import dev.tune.core.endpoint.DeploySpec;
import dev.tune.core.endpoint.EndpointDescription;
import dev.tune.core.endpoint.EndpointState;
import dev.tune.core.endpoint.Prediction;
import dev.tune.core.endpoint.Prompt;
import dev.tune.core.error.ConflictException;
import dev.tune.core.error.NotFoundException;
import dev.tune.core.model.RegisterSpec;
import dev.tune.core.provider.LocalSettings;
import dev.tune.local.process.EntryPoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An endpoint on the trainer's tiny Llama fixture, served by a real child process. */
class LocalEndpointLifecycleTest {
  static final Path TINY_LLAMA =
      Path.of("../trainer/src/test/resources/fixtures/hf/llama").toAbsolutePath().normalize();
  private static final String KEY = "test-key-123";

  @TempDir Path workDir;

  @AfterEach
  void killLeftovers() throws Exception {
    LeftoverProcesses.kill(workDir);
  }

  @Test
  void servesARegisteredModelAfterTheClientThatCreatedItIsClosedUntilDeleted() throws Exception {
    EndpointRef endpoint;
    List<Prediction> first;
    ModelRef model;
    try (LocalClient client = client()) {
      model = client.registerModel(new RegisterSpec("tiny", new FileUri(TINY_LLAMA)));
      endpoint =
          client.createEndpoint(DeploySpec.builder().model(model).endpointName("tiny-ep").build());
      EndpointDescription ready = awaitInService(client, endpoint);
      assertThat(ready.model()).contains(model);
      first = client.predict(endpoint, List.of(Prompt.builder("Hello").maxTokens(5).build()));
      assertThat(first).hasSize(1);
      assertThat(first.get(0).text()).isNotEmpty();
      assertThatThrownBy(
              () ->
                  client.createEndpoint(
                      DeploySpec.builder().model(model).endpointName("tiny-ep").build()))
          .isInstanceOf(ConflictException.class);
      assertThatThrownBy(() -> client.deleteModel(model)).isInstanceOf(ConflictException.class);

      URI url = ready.url().orElseThrow();
      HttpResponse<String> withoutKey =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(url)
                      .POST(HttpRequest.BodyPublishers.ofString("{\"instances\":[\"Hi\"]}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(withoutKey.statusCode()).isEqualTo(401);
    }

    try (LocalClient reopened = client()) {
      assertThat(reopened.listEndpoints())
          .singleElement()
          .satisfies(d -> assertThat(d.state()).isEqualTo(EndpointState.IN_SERVICE));
      List<Prediction> again =
          reopened.predict(endpoint, List.of(Prompt.builder("Hello").maxTokens(5).build()));
      assertThat(again).isEqualTo(first); // greedy decoding of the same model

      long pid = pidOf(reopened, endpoint);
      reopened.deleteEndpoint(endpoint);
      assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
      assertThatThrownBy(() -> reopened.describeEndpoint(endpoint))
          .isInstanceOf(NotFoundException.class);
      assertThat(reopened.listEndpoints()).isEmpty();
      reopened.deleteModel(model);
      assertThat(reopened.listModels()).isEmpty();
    }
  }

  @Test
  void anEndpointWhoseServerCannotLoadTheModelFails() throws Exception {
    Path broken = Files.createDirectories(workDir.resolve("broken-model"));
    Files.writeString(broken.resolve("config.json"), "{\"model_type\":\"llama\"}");
    try (LocalClient client = client()) {
      ModelRef model = client.registerModel(new RegisterSpec("broken", new FileUri(broken)));
      EndpointRef endpoint =
          client.createEndpoint(DeploySpec.builder().model(model).endpointName("broken").build());
      EndpointDescription failed = awaitSettled(client, endpoint);
      assertThat(failed.state()).isEqualTo(EndpointState.FAILED);
      assertThat(failed.message().orElseThrow()).contains("serve.err.log");
    }
  }

  private LocalClient client() {
    return LocalClient.open(
        new LocalSettings(workDir),
        LocalClient.childJvm(),
        EntryPoints.container(),
        Optional.of(KEY));
  }

  private static long pidOf(LocalClient client, EndpointRef endpoint) throws Exception {
    return dev.tune.local.store.JsonFiles.read(
            client.workDir().resolve("endpoints").resolve(endpoint.id()).resolve("endpoint.json"))
        .orElseThrow()
        .path("pid")
        .asLong();
  }

  private static EndpointDescription awaitInService(LocalClient client, EndpointRef endpoint)
      throws InterruptedException {
    EndpointDescription d = awaitSettled(client, endpoint);
    assertThat(d.state()).as(d.message().orElse("")).isEqualTo(EndpointState.IN_SERVICE);
    return d;
  }

  private static EndpointDescription awaitSettled(LocalClient client, EndpointRef endpoint)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
    while (true) {
      EndpointDescription d = client.describeEndpoint(endpoint);
      if (d.state().isSettled() || Instant.now().isAfter(deadline)) {
        return d;
      }
      Thread.sleep(250);
    }
  }
}
