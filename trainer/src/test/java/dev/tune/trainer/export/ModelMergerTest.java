package dev.tune.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.core.error.BadInputException;
import dev.tune.core.error.ConflictException;
import dev.tune.core.error.NotFoundException;
import dev.tune.trainer.fixtures.HfFixtures;
import dev.tune.trainer.lora.PeftAdapterDir;
import dev.tune.trainer.model.CausalLm;
import dev.tune.trainer.model.LinearWeightFactory;
import dev.tune.trainer.model.LoadOptions;
import dev.tune.trainer.quant.Nf4Tensor;
import dev.tune.trainer.safetensors.CheckpointReader;
import dev.tune.trainer.safetensors.SafetensorsDtype;
import dev.tune.trainer.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ModelMerger} against what peft's {@code merge_and_unload()} made of the fixtures. */
class ModelMergerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private static MergeRequest.Builder request(String model, Path out) {
    return MergeRequest.builder()
        .baseDir(HfFixtures.dir(model))
        .adapterDir(HfFixtures.adapter(model))
        .outputDir(out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "mistral", "falcon-mq", "falcon-newarch"})
  void mergedWeightsEqualPeftMergeAndUnload(String model) {
    Path out = tmp.resolve("merged");
    MergeResult result = ModelMerger.merge(request(model, out).build());

    Path adapter = HfFixtures.adapter(model);
    boolean tied =
        readJson(HfFixtures.dir(model).resolve("config.json"))
            .get("tie_word_embeddings")
            .asBoolean();
    float worst = 0;
    try (SafetensorsFile reference =
            SafetensorsFile.open(adapter.resolve("reference.safetensors"));
        CheckpointReader merged = CheckpointReader.open(out)) {
      Set<String> expected = new TreeSet<>();
      for (String name : reference.names()) {
        if (name.startsWith("merged.")) {
          expected.add(name.substring("merged.".length()));
        }
      }
      if (tied) {
        // peft's state dict lists the tied head; transformers' save leaves it out
        assertThat(expected.remove("lm_head.weight")).isTrue();
      }
      assertThat(new TreeSet<>(merged.names())).isEqualTo(expected);
      for (String name : expected) {
        assertThat(merged.info(name).dtype()).isEqualTo(SafetensorsDtype.F32);
        NDArray ours = merged.load(name, manager);
        NDArray peft = reference.load("merged." + name, manager);
        assertThat(ours.getShape()).isEqualTo(peft.getShape());
        worst = Math.max(worst, ours.sub(peft).abs().max().getFloat());
      }
    }
    System.out.printf("%s: merged weights max abs diff vs peft %.3g%n", model, worst);
    assertThat(worst).isLessThanOrEqualTo(1e-6f);
    assertThat(result.mergedModules()).isNotEmpty().isSorted();
    assertThat(result.dtype()).isEqualTo(ExportDtype.FP32);
    assertThat(result.outputDir()).isEqualTo(out.toAbsolutePath());
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama", "mistral", "falcon-mq"})
  void theMergedDirectoryLoadsAndComputesTheAdaptedLogits(String model) throws IOException {
    Path out = tmp.resolve("merged");
    ModelMerger.merge(request(model, out).build());

    Path adapter = HfFixtures.adapter(model);
    try (CausalLm merged = CausalLm.load(out, manager, LoadOptions.defaults())) {
      NDArray ids = HfFixtures.reference(adapter, "input_ids", manager);
      NDArray expected = HfFixtures.reference(adapter, "logits", manager);
      float diff = merged.logits(ids).sub(expected).abs().max().getFloat();
      System.out.printf("%s: merged model logits vs peft adapted logits %.3g%n", model, diff);
      assertThat(diff).isLessThanOrEqualTo(1e-4f);
    }
    Path base = HfFixtures.dir(model);
    for (String file :
        List.of(
            "generation_config.json",
            "tokenizer.json",
            "tokenizer_config.json",
            "chat_template.jinja")) {
      assertThat(out.resolve(file)).hasSameBinaryContentAs(base.resolve(file));
    }
    assertThat(readJson(out.resolve("config.json")))
        .isEqualTo(readJson(base.resolve("config.json")));
    assertThat(fileNames(out))
        .containsExactlyInAnyOrder(
            "config.json",
            "generation_config.json",
            "model.safetensors",
            "tokenizer.json",
            "tokenizer_config.json",
            "chat_template.jinja",
            // the fixture's own reference file is a top-level file like a README: carried over
            // only when it is not weights; reference-texts.json is, reference.safetensors is not
            "reference-texts.json");
  }

  @Test
  void bfloat16OutputIsTheFloat32MergeRoundedToNearestEven() {
    Path fp32 = tmp.resolve("fp32");
    Path bf16 = tmp.resolve("bf16");
    ModelMerger.merge(request("llama", fp32).build());
    MergeResult result = ModelMerger.merge(request("llama", bf16).dtype(ExportDtype.BF16).build());

    assertThat(result.dtype()).isEqualTo(ExportDtype.BF16);
    ObjectNode config = readJson(bf16.resolve("config.json"));
    assertThat(config.get("dtype").asText()).isEqualTo("bfloat16");
    ObjectNode original = readJson(HfFixtures.dir("llama").resolve("config.json"));
    original.put("dtype", "bfloat16");
    assertThat(config).isEqualTo(original);
    int rounded = 0;
    try (CheckpointReader wide = CheckpointReader.open(fp32);
        CheckpointReader narrow = CheckpointReader.open(bf16)) {
      for (String name : wide.names()) {
        assertThat(narrow.info(name).dtype()).isEqualTo(SafetensorsDtype.BF16);
        float[] exact = wide.load(name, manager).toFloatArray();
        float[] stored = narrow.load(name, manager).toFloatArray(); // widened exactly
        for (int i = 0; i < exact.length; i++) {
          assertThat(isNearestEvenBfloat16(exact[i], stored[i]))
              .as("%s[%d]: %s stored as %s", name, i, exact[i], stored[i])
              .isTrue();
          rounded += exact[i] != stored[i] ? 1 : 0;
        }
      }
    }
    assertThat(rounded).isPositive();
  }

  @Test
  void aBfloat16BaseMergesInFloat32AndKeepsItsDtype() {
    Path bf16Base = tmp.resolve("bf16-base");
    ModelMerger.merge(request("mistral", bf16Base).dtype(ExportDtype.BF16).build());
    Path out = tmp.resolve("again");
    // the bf16 model is a base like any other: the same adapter merges into it once more
    MergeResult again =
        ModelMerger.merge(
            MergeRequest.builder()
                .baseDir(bf16Base)
                .adapterDir(HfFixtures.adapter("mistral"))
                .outputDir(out)
                .build());

    assertThat(again.dtype()).isEqualTo(ExportDtype.BF16);
    Path adapter = HfFixtures.adapter("mistral");
    PeftAdapterDir.Loaded lora = PeftAdapterDir.load(adapter, manager);
    try (CheckpointReader base = CheckpointReader.open(bf16Base);
        CheckpointReader merged = CheckpointReader.open(out)) {
      for (String name : base.names()) {
        float[] stored = merged.load(name, manager).toFloatArray();
        NDArray expected = base.load(name, manager);
        String module = name.substring(0, name.length() - ".weight".length());
        if (lora.adapters().containsKey(module)) {
          expected = lora.adapters().get(module).mergeInto(expected, DataType.FLOAT32);
        }
        float[] exact = expected.toFloatArray();
        for (int i = 0; i < exact.length; i++) {
          assertThat(isNearestEvenBfloat16(exact[i], stored[i])).as("%s[%d]", name, i).isTrue();
        }
      }
    }
  }

  @Test
  void float16OutputIsTheFloat32MergeCastByTorch() {
    Path fp32 = tmp.resolve("fp32");
    Path fp16 = tmp.resolve("fp16");
    ModelMerger.merge(request("falcon-mq", fp32).build());
    ModelMerger.merge(request("falcon-mq", fp16).dtype(ExportDtype.FP16).build());

    assertThat(readJson(fp16.resolve("config.json")).get("dtype").asText()).isEqualTo("float16");
    try (CheckpointReader wide = CheckpointReader.open(fp32);
        CheckpointReader half = CheckpointReader.open(fp16)) {
      for (String name : wide.names()) {
        NDArray stored = half.load(name, manager);
        assertThat(stored.getDataType()).isEqualTo(DataType.FLOAT16);
        assertThat(stored).isEqualTo(wide.load(name, manager).toType(DataType.FLOAT16, false));
      }
    }
    try (CausalLm model = CausalLm.load(fp16, manager, LoadOptions.defaults())) {
      assertThat(model.computeDtype()).isEqualTo(DataType.FLOAT16);
    }
  }

  @Test
  void smallShardsGiveAnIndexedCheckpointWithTheSameTensors() {
    Path single = tmp.resolve("single");
    Path sharded = tmp.resolve("sharded");
    ModelMerger.merge(request("llama", single).build());
    MergeResult result =
        ModelMerger.merge(request("llama", sharded).maxShardBytes(ByteSize.parse("100KB")).build());

    assertThat(result.weightFiles()).last().isEqualTo(CheckpointReader.INDEX_FILE);
    assertThat(result.weightFiles()).hasSizeGreaterThan(3);
    assertThat(sharded.resolve(CheckpointReader.SINGLE_FILE)).doesNotExist();
    try (CheckpointReader a = CheckpointReader.open(single);
        CheckpointReader b = CheckpointReader.open(sharded)) {
      assertThat(new TreeSet<>(b.names())).isEqualTo(new TreeSet<>(a.names()));
      for (String name : a.names()) {
        assertThat(b.bytes(name)).as(name).isEqualTo(a.bytes(name));
      }
    }
  }

  @Test
  void fromQuantizedComputesWhatTheQuantizedModelWithItsAdapterComputed() {
    Path out = tmp.resolve("merged");
    ModelMerger.merge(request("llama", out).fromQuantized(true).build());

    LinearWeightFactory nf4ExceptHead =
        (name, weight, computeDtype) -> {
          if (name.equals(CausalLm.LM_HEAD)) {
            return LinearWeightFactory.dense().create(name, weight, computeDtype);
          }
          Nf4Tensor quantized = Nf4Tensor.quantize(weight, true);
          weight.close();
          return quantized::dequantize;
        };
    Path adapter = HfFixtures.adapter("llama");
    NDArray ids = HfFixtures.reference(adapter, "input_ids", manager);
    try (CausalLm qlora =
            CausalLm.load(
                HfFixtures.dir("llama"),
                manager,
                LoadOptions.defaults().withLinearWeights(nf4ExceptHead));
        CausalLm merged = CausalLm.load(out, manager, LoadOptions.defaults())) {
      PeftAdapterDir.attach(adapter, qlora.linears(), qlora.manager());
      NDArray expected = qlora.logits(ids);
      float diff = merged.logits(ids).sub(expected).abs().max().getFloat();
      System.out.printf("llama --from-quantized merged vs NF4 + adapter logits %.3g%n", diff);
      assertThat(diff).isLessThanOrEqualTo(1e-4f);
      float fromOriginal =
          HfFixtures.reference(adapter, "logits", manager).sub(expected).abs().max().getFloat();
      assertThat(fromOriginal).as("the quantization changes the logits").isGreaterThan(1e-3f);
    }
  }

  @Test
  void progressCountsEveryTensorAndByte() {
    List<MergeProgress> events = new ArrayList<>();
    MergeResult result =
        ModelMerger.merge(request("mistral", tmp.resolve("m")).build(), events::add);

    assertThat(events).hasSize(result.tensors());
    MergeProgress last = events.get(events.size() - 1);
    assertThat(last.index()).isEqualTo(result.tensors());
    assertThat(last.bytesWritten()).isEqualTo(last.totalBytes()).isEqualTo(result.weightBytes());
    assertThat(events.stream().filter(MergeProgress::merged).map(MergeProgress::tensor))
        .containsExactlyInAnyOrderElementsOf(
            result.mergedModules().stream().map(m -> m + ".weight").toList());
    // q_proj and v_proj of two layers
    assertThat(result.mergedModules()).hasSize(4);
  }

  // --- refusals ---

  @Test
  void aMissingBaseOrAdapterIsNotFound() {
    Path out = tmp.resolve("out");
    assertThatThrownBy(
            () -> ModelMerger.merge(request("llama", out).baseDir(tmp.resolve("nope")).build()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("base model directory")
        .hasMessageContaining("nope");
    assertThatThrownBy(
            () -> ModelMerger.merge(request("llama", out).adapterDir(tmp.resolve("gone")).build()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("adapter directory");
    assertThat(out).doesNotExist();
  }

  @Test
  void aDirectoryOfTheWrongKindIsBadInput() {
    Path out = tmp.resolve("out");
    assertThatThrownBy(
            () ->
                ModelMerger.merge(
                    request("llama", out).baseDir(HfFixtures.adapter("llama")).build()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("holds no config.json");
    assertThatThrownBy(
            () ->
                ModelMerger.merge(
                    request("llama", out).adapterDir(HfFixtures.dir("llama")).build()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("holds no adapter_config.json");
  }

  @Test
  void anAdapterOfAnotherArchitectureIsRefused() {
    Path out = tmp.resolve("out");
    assertThatThrownBy(
            () ->
                ModelMerger.merge(
                    request("llama", out).adapterDir(HfFixtures.adapter("falcon-mq")).build()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("transformer.h.0.self_attention.dense")
        .hasMessageContaining("LlamaForCausalLM")
        .hasMessageContaining("trained on another model");
    assertThat(out).doesNotExist();
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void anAdapterOfOtherShapesIsRefused() {
    // falcon-newarch has grouped key/value heads: its query_key_value is wider than falcon-mq's
    assertThatThrownBy(
            () ->
                ModelMerger.merge(
                    request("falcon-mq", tmp.resolve("out"))
                        .adapterDir(HfFixtures.adapter("falcon-newarch"))
                        .build()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("query_key_value")
        .hasMessageContaining("has shape [96, 64]");
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void aNonEmptyOutputIsKeptUnlessOverwriteIsAsked() throws IOException {
    Path out = Files.createDirectories(tmp.resolve("out"));
    Files.writeString(out.resolve("keep.txt"), "mine");

    assertThatThrownBy(() -> ModelMerger.merge(request("llama", out).build()))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("not empty");
    assertThat(fileNames(out)).containsExactly("keep.txt");

    ModelMerger.merge(request("llama", out).overwrite(true).build());
    assertThat(fileNames(out)).contains("model.safetensors").doesNotContain("keep.txt");
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void anEmptyOutputDirectoryIsFilled() throws IOException {
    Path out = Files.createDirectories(tmp.resolve("empty"));
    ModelMerger.merge(request("llama", out).build());
    assertThat(fileNames(out)).contains("model.safetensors", "config.json");
  }

  @Test
  void theOutputMayNotOverlapTheInputs() {
    Path inside = HfFixtures.dir("llama").resolve("merged");
    assertThatThrownBy(() -> ModelMerger.merge(request("llama", inside).overwrite(true).build()))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("overlaps the base model directory");
    assertThat(inside).doesNotExist();
  }

  /**
   * Whether {@code stored} is the bfloat16 nearest to {@code exact}, ties to an even mantissa; past
   * the largest bfloat16, infinity counts as 2^128 (IEEE overflow rounding).
   */
  static boolean isNearestEvenBfloat16(float exact, float stored) {
    if (Float.isInfinite(exact)) {
      return stored == exact;
    }
    int bits = Float.floatToRawIntBits(exact);
    float down = Float.intBitsToFloat(bits & 0xFFFF0000); // toward zero
    float up = Float.intBitsToFloat((bits & 0xFFFF0000) + 0x10000); // away from zero
    double upValue = Float.isInfinite(up) ? Math.copySign(Math.scalb(1.0, 128), up) : up;
    double toDown = Math.abs((double) exact - down);
    double toUp = Math.abs((double) exact - upValue);
    float nearest;
    if (toDown != toUp) {
      nearest = toDown < toUp ? down : up;
    } else {
      nearest = ((Float.floatToRawIntBits(down) >>> 16) & 1) == 0 ? down : up;
    }
    return Float.floatToRawIntBits(nearest) == Float.floatToRawIntBits(stored);
  }

  private List<String> leftovers() {
    try (Stream<Path> entries = Files.list(tmp)) {
      return entries
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("."))
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).toList();
    }
  }

  private static ObjectNode readJson(Path file) {
    try {
      JsonNode node = JSON.readTree(file.toFile());
      return (ObjectNode) node;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
