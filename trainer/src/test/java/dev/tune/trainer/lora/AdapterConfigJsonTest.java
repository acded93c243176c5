package dev.tune.trainer.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdapterConfigJsonTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void readsPeftWrittenConfigsOfTheFixtures() {
    LoraConfig llama = AdapterConfigJson.read(Fixtures.adapterDir("llama-lora"));
    LoraConfig mistral = AdapterConfigJson.read(Fixtures.adapterDir("mistral-lora"));
    LoraConfig falconNew =
        AdapterConfigJson.read(
            Fixtures.adapterDir("falcon-newarch-lora").resolve("adapter_config.json"));

    assertThat(llama.r()).isEqualTo(4);
    assertThat(llama.loraAlpha()).isEqualTo(8);
    assertThat(llama.scaling()).isEqualTo(2);
    assertThat(llama.useRslora()).isFalse();
    // peft 0.21 resolved all-linear into the full names of the 14 projections
    assertThat(llama.targetModules()).isInstanceOf(TargetModules.Names.class);
    assertThat(((TargetModules.Names) llama.targetModules()).names())
        .hasSize(14)
        .contains("model.layers.0.self_attn.q_proj", "model.layers.1.mlp.down_proj");
    assertThat(llama.baseModelNameOrPath()).isNull();

    assertThat(mistral.useRslora()).isTrue();
    assertThat(mistral.scaling()).isEqualTo(8); // 16 / sqrt(4)
    assertThat(mistral.targetModules()).isEqualTo(TargetModules.names(List.of("v_proj", "q_proj")));

    assertThat(falconNew.r()).isEqualTo(2);
    assertThat(falconNew.scaling()).isEqualTo(2);
    assertThat(falconNew.targetModules().matches("transformer.h.1.self_attention.query_key_value"))
        .isTrue();
    assertThat(falconNew.targetModules().matches("transformer.h.1.self_attention.dense")).isFalse();
  }

  @Test
  void writesWhatPeftWritesForTheSameAdapter() throws IOException {
    LoraConfig peftRead = AdapterConfigJson.read(Fixtures.adapterDir("llama-lora"));
    List<String> modules = ((TargetModules.Names) peftRead.targetModules()).names();
    LoraConfig ours =
        LoraConfig.builder().r(4).loraAlpha(8).targetModules(TargetModules.allLinear()).build();

    JsonNode written = MAPPER.readTree(AdapterConfigJson.toJson(ours, modules));
    JsonNode peft =
        MAPPER.readTree(Fixtures.adapterDir("llama-lora").resolve("adapter_config.json").toFile());

    for (Iterator<String> it = written.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      assertThat(peft.has(field)).as("peft 0.21 knows %s", field).isTrue();
      if (field.equals("target_modules")) {
        assertThat(strings(written.get(field))).isEqualTo(strings(peft.get(field)));
      } else {
        assertThat(written.get(field)).as(field).isEqualTo(peft.get(field));
      }
    }
    assertThat(written.size()).isGreaterThanOrEqualTo(20);
  }

  @Test
  void writesSortedKeysIndentedAsPythonDoes() {
    String json =
        AdapterConfigJson.toJson(
            LoraConfig.builder()
                .r(8)
                .loraAlpha(16)
                .loraDropout(0.05)
                .targetModules(TargetModules.names(List.of("q_proj", "v_proj")))
                .build(),
            List.of());

    assertThat(json).startsWith("{\n  \"alpha_pattern\": {").contains("\"lora_alpha\": 16,");
    assertThat(json).contains("\"target_modules\": [\n    \"q_proj\",\n    \"v_proj\"\n  ]");
    assertThat(json).contains("\"lora_dropout\": 0.05");
  }

  @Test
  void roundTripsEveryTargetSpelling(@TempDir Path dir) {
    List<LoraConfig> configs =
        List.of(
            LoraConfig.builder()
                .r(16)
                .loraAlpha(32)
                .loraDropout(0.1)
                .targetModules(TargetModules.names(List.of("q_proj", "v_proj")))
                .baseModelNameOrPath("meta-llama/Llama-3.2-1B")
                .build(),
            LoraConfig.builder()
                .r(4)
                .loraAlpha(2.5)
                .useRslora(true)
                .targetModules(TargetModules.regex(".*\\.(q|v)_proj"))
                .build());
    for (LoraConfig config : configs) {
      AdapterConfigJson.write(dir, config, List.of());
      assertThat(AdapterConfigJson.read(dir)).isEqualTo(config);
    }

    LoraConfig allLinear =
        LoraConfig.builder().r(4).loraAlpha(8).targetModules(TargetModules.allLinear()).build();
    AdapterConfigJson.write(dir, allLinear, List.of("b.o_proj", "a.q_proj"));
    assertThat(AdapterConfigJson.read(dir))
        .isEqualTo(
            allLinear.toBuilder()
                .targetModules(TargetModules.names(List.of("a.q_proj", "b.o_proj")))
                .build());
  }

  @Test
  void toleratesFieldsItDoesNotKnow() throws IOException {
    ObjectNode json = fixtureJson();
    json.put("some_field_of_peft_0_99", 42);
    json.putObject("another_new_config").put("x", 1);

    assertThat(AdapterConfigJson.parse(json.toString()).r()).isEqualTo(4);
  }

  @Test
  void refusesVariantsItDoesNotImplementNamingTheField() throws IOException {
    assertRefused(fixtureJson().put("use_dora", true), "use_dora", "DoRA");
    assertRefused(fixtureJson().put("lora_bias", true), "lora_bias");
    assertRefused(fixtureJson().put("bias", "lora_only"), "bias=\"lora_only\"");
    ObjectNode toSave = fixtureJson();
    toSave.putArray("modules_to_save").add("lm_head");
    assertRefused(toSave, "modules_to_save");
    ObjectNode ranks = fixtureJson();
    ranks.putObject("rank_pattern").put("q_proj", 8);
    assertRefused(ranks, "rank_pattern");
    ObjectNode alphas = fixtureJson();
    alphas.putObject("alpha_pattern").put("q_proj", 8);
    assertRefused(alphas, "alpha_pattern");
    ObjectNode layers = fixtureJson();
    layers.putArray("layers_to_transform").add(0);
    assertRefused(layers, "layers_to_transform");
    assertRefused(fixtureJson().put("init_lora_weights", "pissa_niter_4"), "init_lora_weights");
    assertRefused(fixtureJson().put("init_lora_weights", "loftq"), "rewrites the base weights");
    assertRefused(fixtureJson().put("peft_type", "IA3"), "peft_type", "\"LORA\"");
    assertRefused(fixtureJson().put("task_type", "SEQ_CLS"), "task_type");
    assertRefused(fixtureJson().put("fan_in_fan_out", true), "fan_in_fan_out");
    assertRefused(fixtureJson().putNull("target_modules"), "target_modules is missing");
    assertRefused(fixtureJson().put("r", 4.5), "r must be an integer");
  }

  @Test
  void acceptsTheHarmlessInitialisations() throws IOException {
    assertThat(
            AdapterConfigJson.parse(fixtureJson().put("init_lora_weights", "gaussian").toString()))
        .isNotNull();
    assertThat(AdapterConfigJson.parse(fixtureJson().put("init_lora_weights", false).toString()))
        .isNotNull();
  }

  @Test
  void namesTheFileWhenItRefusesIt(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("adapter_config.json"), fixtureJson().put("use_dora", true).toString());

    assertThatThrownBy(() -> AdapterConfigJson.read(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.resolve("adapter_config.json").toString());
  }

  private static void assertRefused(ObjectNode json, String... messageParts) {
    assertThatThrownBy(() -> AdapterConfigJson.parse(json.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll(messageParts);
  }

  private static ObjectNode fixtureJson() throws IOException {
    return (ObjectNode)
        MAPPER.readTree(
            Fixtures.adapterDir("mistral-lora").resolve("adapter_config.json").toFile());
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> values = new HashSet<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }
}
