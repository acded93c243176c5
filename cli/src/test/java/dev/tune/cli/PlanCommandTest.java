package dev.tune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code tune plan} on the published config.json of Mistral-7B and Falcon-40B (committed under the
 * trainer's test resources), for a GPU list, a SageMaker instance, a Vertex machine, and none.
 */
class PlanCommandTest {

  private static final Path CONFIGS =
      Path.of("..", "trainer", "src", "test", "resources", "plan").toAbsolutePath().normalize();

  private static String model(String name) {
    return CONFIGS.resolve(name).toString();
  }

  @Test
  void mistral7bFitsOne24GbGpu() {
    CliRun r =
        CliRun.run("plan", "--model", model("mistral-7b-v0.1"), "--gpus", "1x24GB", "-o", "json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("fits").asBoolean()).isTrue();
    assertThat(j.get("weights_bytes").asLong()).isBetween(4_200_000_000L, 4_500_000_000L);
    assertThat(j.get("devices")).hasSize(1);
    JsonNode gpu = j.get("devices").get(0);
    assertThat(gpu.get("budget_bytes").asLong()).isEqualTo(24_000_000_000L);
    assertThat(gpu.get("peak_bytes").asLong()).isPositive().isLessThan(24_000_000_000L);
    assertThat(j.get("placement").get("model.layers.0").asText()).isEqualTo("cuda:0");
  }

  @Test
  void falcon40bFitsAG5TwelveXlargeWithAPlacement() {
    CliRun r =
        CliRun.run(
            "plan",
            "--model",
            model("falcon-40b/config.json"),
            "--instance",
            "ml.g5.12xlarge",
            "-o",
            "json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("fits").asBoolean()).isTrue();
    assertThat(j.get("devices")).hasSize(4);
    JsonNode placement = j.get("placement");
    assertThat(placement.size()).isEqualTo(62);
    assertThat(placement.get("transformer.word_embeddings+lm_head").asText()).isEqualTo("cuda:0");
    List<String> used = new ArrayList<>();
    for (JsonNode d : j.get("devices")) {
      assertThat(d.get("peak_bytes").asLong()).isLessThanOrEqualTo(d.get("budget_bytes").asLong());
      if (d.get("modules").size() > 0) {
        used.add(d.get("name").asText());
      }
    }
    assertThat(used).hasSizeGreaterThan(1);
    assertThat(placement.get("transformer.ln_f").asText()).isEqualTo(used.get(used.size() - 1));
  }

  @Test
  void falcon40bOnOne24GbGpuExitsFiveWithTheReasonAndAlternatives() {
    CliRun r = CliRun.run("plan", "--model", model("falcon-40b"), "--gpus", "24GiB", "-o", "json");
    assertThat(r.exitCode()).isEqualTo(5);
    JsonNode j = r.json();
    assertThat(j.get("fits").asBoolean()).isFalse();
    assertThat(j.get("reason").asText()).isNotBlank();
    assertThat(j.get("placement").size()).isZero();
    JsonNode alternatives = j.get("instances");
    assertThat(alternatives.size()).isPositive();
    double previous = 0;
    for (JsonNode a : alternatives) {
      assertThat(a.get("hourly_usd").asDouble()).isGreaterThanOrEqualTo(previous);
      previous = a.get("hourly_usd").asDouble();
      assertThat(a.get("largest_peak_bytes").asLong())
          .isLessThanOrEqualTo(a.get("gpu_memory_bytes").asLong());
    }
    assertThat(r.err()).contains("does not fit");

    CliRun text = CliRun.run("plan", "--model", model("falcon-40b"), "--gpus", "24GiB");
    assertThat(text.exitCode()).isEqualTo(5);
    assertThat(text.out())
        .contains("fits:    no", "machines it fits on", alternatives.get(0).get("name").asText());
  }

  @Test
  void withoutAGpuOptionItListsMachinesWithTheirCost() {
    CliRun r =
        CliRun.run(
            "plan", "--model", model("mistral-7b-v0.1"), "--tokens", "20000000", "-o", "json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("fits").asBoolean()).isTrue();
    JsonNode instances = j.get("instances");
    assertThat(instances.size()).isGreaterThan(5);
    List<String> providers = new ArrayList<>();
    double previous = 0;
    for (JsonNode a : instances) {
      providers.add(a.get("provider").asText());
      assertThat(a.get("estimated_cost_usd").asDouble()).isGreaterThanOrEqualTo(previous);
      previous = a.get("estimated_cost_usd").asDouble();
    }
    assertThat(providers).contains("sagemaker", "vertex");
    assertThat(j.get("target").asText()).isEqualTo(instances.get(0).get("name").asText());
    assertThat(j.get("throughput_assumption").asText()).contains("FLOPs per parameter");
    assertThat(j.get("prices_as_of").asText()).isNotBlank();
  }

  @Test
  void aVertexMachineAndATextReport() {
    CliRun r =
        CliRun.run("plan", "--model", model("mistral-7b-v0.1"), "--machine", "g2-standard-48");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("on g2-standard-48:", "cuda:3", "fits:    yes", "model.layers.");
  }

  @Test
  void anUnknownInstanceIsBadInput() {
    CliRun r = CliRun.run("plan", "--model", model("mistral-7b-v0.1"), "--instance", "ml.g9.huge");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("unknown sagemaker machine ml.g9.huge", "ml.g5.12xlarge");
  }
}
