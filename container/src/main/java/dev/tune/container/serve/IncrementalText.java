package dev.tune.container.serve;

import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.util.Arrays;

/**
 * The text of a sequence as its tokens arrive, handed out in pieces that concatenate to the final
 * text. A token that ends inside a multi-byte character decodes to U+FFFD; its piece waits for the
 * token that completes the character.
 */
final class IncrementalText {

  private final ModelTokenizer tokenizer;
  private long[] tokens = new long[16];
  private int count;
  private String emitted = "";

  IncrementalText(ModelTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** Adds a token; returns the new text since the last piece, possibly empty. */
  String add(long token) {
    if (count == tokens.length) {
      tokens = Arrays.copyOf(tokens, count * 2);
    }
    tokens[count++] = token;
    String text = text();
    if (text.endsWith("\uFFFD") || !text.startsWith(emitted)) {
      return "";
    }
    String piece = text.substring(emitted.length());
    emitted = text;
    return piece;
  }

  /** The whole text so far, special tokens left out. */
  String text() {
    return tokenizer.decode(Arrays.copyOf(tokens, count), true);
  }
}
