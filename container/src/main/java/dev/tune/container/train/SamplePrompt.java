package dev.tune.container.train;

import dev.tune.core.train.DataFormat;
import dev.tune.core.train.TrainSpec;
import dev.tune.trainer.data.ExampleIterator;
import dev.tune.trainer.data.ExampleStream;
import dev.tune.trainer.data.TokenizedExample;
import dev.tune.trainer.tokenizer.ChatMessage;
import dev.tune.trainer.tokenizer.ChatRequest;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A prompt the base and the tuned model both answer, with its token ids, so that both see exactly
 * the same input.
 */
final class SamplePrompt {
  /** How many held-out rows give prompts when {@code output.sample_prompts} names none. */
  static final int DEFAULT_COUNT = 3;

  /** Text rows have no prompt part; their first tokens stand in for one. */
  static final int TEXT_PREFIX_TOKENS = 16;

  private final String text;
  private final long[] ids;

  SamplePrompt(String text, long[] ids) {
    this.text = text;
    this.ids = ids.clone();
  }

  String text() {
    return text;
  }

  long[] ids() {
    return ids.clone();
  }

  /**
   * The prompts of {@code output.sample_prompts} (through the chat template when the data is chat),
   * else the prompt parts of up to {@link #DEFAULT_COUNT} held-out rows, as the model read them in
   * training.
   */
  static List<SamplePrompt> choose(
      TrainSpec spec, ModelTokenizer tokenizer, ExampleStream heldOut) {
    List<String> written = spec.output().samplePrompts();
    if (!written.isEmpty()) {
      boolean chat =
          spec.data().format() == DataFormat.CHAT && !tokenizer.chatTemplates().isEmpty();
      return written.stream()
          .map(
              p ->
                  new SamplePrompt(
                      p,
                      chat
                          ? tokenizer.encodeChat(ChatRequest.of(List.of(ChatMessage.user(p)), true))
                          : tokenizer.encode(p)))
          .toList();
    }
    List<SamplePrompt> prompts = new ArrayList<>();
    if (!heldOut.isPresent()) {
      return prompts;
    }
    try (ExampleIterator it = heldOut.iterator()) {
      while (it.hasNext() && prompts.size() < DEFAULT_COUNT) {
        long[] ids = promptPart(it.next());
        if (ids.length > 0) {
          prompts.add(new SamplePrompt(tokenizer.decode(ids, true), ids));
        }
      }
    }
    return prompts;
  }

  /**
   * The untrained tokens before the first trained one, of the row's first sample; for text rows,
   * where every token is trained, the first few tokens.
   */
  static long[] promptPart(TokenizedExample example) {
    long[] input = example.inputIds();
    long[] labels = example.labels();
    int[] sequences = example.sequenceIds();
    int end = 0;
    while (end < input.length
        && sequences[end] == sequences[0]
        && labels[end] == TokenizedExample.IGNORE_INDEX) {
      end++;
    }
    if (end == 0) {
      int sampleLength = 0;
      while (sampleLength < input.length && sequences[sampleLength] == sequences[0]) {
        sampleLength++;
      }
      end = Math.min(TEXT_PREFIX_TOKENS, sampleLength / 2);
    }
    return Arrays.copyOf(input, end);
  }
}
