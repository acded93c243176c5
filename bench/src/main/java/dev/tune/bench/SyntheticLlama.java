package dev.tune.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tune.trainer.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Llama-architecture checkpoint with random fp32 weights, written as an HF model directory. The
 * benchmark's default (hidden 384, 8 layers, vocab 8192) has about 20M parameters, the same shape
 * as {@code bench/python/peer_train_step.py}.
 */
record SyntheticLlama(int vocab, int hidden, int layers, int heads, int kvHeads, int intermediate) {

  static SyntheticLlama benchDefault() {
    return new SyntheticLlama(8192, 384, 8, 6, 2, 1024);
  }

  int headDim() {
    return hidden / heads;
  }

  long parameterCount() {
    long perLayer =
        (long) hidden * heads * headDim() * 2
            + (long) hidden * kvHeads * headDim() * 2
            + 3L * hidden * intermediate
            + 2L * hidden;
    return 2L * vocab * hidden + layers * perLayer + hidden;
  }

  /** Writes config.json and model.safetensors into {@code dir}; returns the weight bytes. */
  long writeTo(Path dir, long seed) {
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed((int) seed);
      Map<String, NDArray> weights = new LinkedHashMap<>();
      weights.put("model.embed_tokens.weight", random(manager, vocab, hidden));
      int d = headDim();
      for (int i = 0; i < layers; i++) {
        String p = "model.layers." + i + ".";
        weights.put(p + "input_layernorm.weight", manager.ones(new Shape(hidden)));
        weights.put(p + "self_attn.q_proj.weight", random(manager, heads * d, hidden));
        weights.put(p + "self_attn.k_proj.weight", random(manager, kvHeads * d, hidden));
        weights.put(p + "self_attn.v_proj.weight", random(manager, kvHeads * d, hidden));
        weights.put(p + "self_attn.o_proj.weight", random(manager, hidden, heads * d));
        weights.put(p + "post_attention_layernorm.weight", manager.ones(new Shape(hidden)));
        weights.put(p + "mlp.gate_proj.weight", random(manager, intermediate, hidden));
        weights.put(p + "mlp.up_proj.weight", random(manager, intermediate, hidden));
        weights.put(p + "mlp.down_proj.weight", random(manager, hidden, intermediate));
      }
      weights.put("model.norm.weight", manager.ones(new Shape(hidden)));
      weights.put("lm_head.weight", random(manager, vocab, hidden));
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("config.json"), configJson());
      SafetensorsWriter.create().writeCheckpoint(dir, weights);
      return weights.values().stream().mapToLong(a -> a.size() * 4L).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static NDArray random(NDManager manager, int rows, int cols) {
    return manager.randomNormal(
        0f, 0.02f, new Shape(rows, cols), ai.djl.ndarray.types.DataType.FLOAT32);
  }

  private String configJson() {
    ObjectMapper json = new ObjectMapper();
    ObjectNode c = json.createObjectNode();
    c.putArray("architectures").add("LlamaForCausalLM");
    c.put("model_type", "llama");
    c.put("vocab_size", vocab);
    c.put("hidden_size", hidden);
    c.put("intermediate_size", intermediate);
    c.put("num_hidden_layers", layers);
    c.put("num_attention_heads", heads);
    c.put("num_key_value_heads", kvHeads);
    c.put("head_dim", headDim());
    c.put("hidden_act", "silu");
    c.put("max_position_embeddings", 2048);
    c.put("rms_norm_eps", 1e-5);
    c.put("rope_theta", 10000.0);
    c.put("tie_word_embeddings", false);
    c.put("torch_dtype", "float32");
    c.put("bos_token_id", 0);
    c.put("eos_token_id", 1);
    return c.toPrettyString();
  }
}
