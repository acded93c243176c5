package dev.tune.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tune.core.train.LoraSpec;
import dev.tune.core.train.QuantizationSpec;
import dev.tune.trainer.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Models and data for the trainer tests. */
final class TrainFixtures {

  /** Every linear layer but the head, the QLoRA paper's choice. */
  static final LoraSpec ALL_LINEAR = new LoraSpec(8, 16, 0.0, List.of(LoraSpec.ALL_LINEAR));

  private TrainFixtures() {}

  /** A transformers fixture directory under {@code fixtures/hf}, e.g. {@code llama}. */
  static Path fixture(String name) {
    URL url = TrainFixtures.class.getResource("/fixtures/hf/" + name);
    if (url == null) {
      throw new IllegalStateException("missing test fixture fixtures/hf/" + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The tiny fixture llama (random weights, vocab 512) prepared for QLoRA on {@code parent}. */
  static QloraModel llama(
      NDManager parent, QuantizationSpec quantization, LoraSpec lora, long seed) {
    return new QloraModelPreparer(quantization, lora, ComputePrecision.float32(), seed)
        .prepare(fixture("llama"), "fixtures/hf/llama", parent);
  }

  /**
   * Builds a trainer that asks itself to stop after step {@code stopAt} (0: never), as the signal
   * handler of a preempted job does.
   */
  static QloraTrainer stoppingAfter(int stopAt, QloraTrainer.Builder builder) {
    QloraTrainer[] self = new QloraTrainer[1];
    self[0] =
        builder
            .listener(
                new TrainingListener() {
                  @Override
                  public void onStepEnd(int step, int totalSteps) {
                    if (step == stopAt) {
                      self[0].requestStop();
                    }
                  }
                })
            .build();
    return self[0];
  }

  /** The run's evaluation log lines, in step order. */
  static List<TrainingLog> evaluations(TrainResult result) {
    return result.logHistory().stream().filter(l -> l.kind() == TrainingLog.Kind.EVAL).toList();
  }

  /** {@code count} random token sequences of 6 to 20 tokens, every token trained. */
  static List<TrainingExample> randomTexts(int count, long seed) {
    Random random = new Random(seed);
    List<TrainingExample> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long[] ids = new long[6 + random.nextInt(15)];
      ids[0] = 0;
      for (int t = 1; t < ids.length; t++) {
        ids[t] = 3L + random.nextInt(509);
      }
      out.add(TrainingExample.ofText(ids));
    }
    return out;
  }

  /**
   * Writes a Llama checkpoint of the given size with seeded random weights into {@code dir} ({@code
   * config.json} and {@code model.safetensors}).
   */
  static Path randomLlama(
      Path dir, int hidden, int layers, int heads, int intermediate, int vocab, NDManager manager)
      throws IOException {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("config.json"),
        """
        {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": %d,
         "num_hidden_layers": %d, "num_attention_heads": %d, "num_key_value_heads": %d,
         "intermediate_size": %d, "vocab_size": %d, "max_position_embeddings": 4096,
         "rms_norm_eps": 1e-05, "hidden_act": "silu", "tie_word_embeddings": false,
         "rope_theta": 10000.0, "bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 2,
         "dtype": "float32"}
        """
            .formatted(hidden, layers, heads, heads, intermediate, vocab));
    Map<String, Shape> shapes = new LinkedHashMap<>();
    shapes.put("model.embed_tokens.weight", new Shape(vocab, hidden));
    for (int i = 0; i < layers; i++) {
      String p = "model.layers." + i + ".";
      shapes.put(p + "input_layernorm.weight", new Shape(hidden));
      for (String proj : List.of("q_proj", "k_proj", "v_proj", "o_proj")) {
        shapes.put(p + "self_attn." + proj + ".weight", new Shape(hidden, hidden));
      }
      shapes.put(p + "post_attention_layernorm.weight", new Shape(hidden));
      shapes.put(p + "mlp.gate_proj.weight", new Shape(intermediate, hidden));
      shapes.put(p + "mlp.up_proj.weight", new Shape(intermediate, hidden));
      shapes.put(p + "mlp.down_proj.weight", new Shape(hidden, intermediate));
    }
    shapes.put("model.norm.weight", new Shape(hidden));
    shapes.put("lm_head.weight", new Shape(vocab, hidden));
    Random random = new Random(7);
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    try (NDManager scratch = manager.newSubManager()) {
      shapes.forEach(
          (name, shape) -> {
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i++) {
              values[i] =
                  (float)
                      (shape.dimension() == 1
                          ? 1.0 + 0.1 * random.nextGaussian()
                          : 0.05 * random.nextGaussian());
            }
            tensors.put(name, scratch.create(values, shape));
          });
      SafetensorsWriter.create().writeFile(dir.resolve("model.safetensors"), tensors);
    }
    return dir;
  }
}
