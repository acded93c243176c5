package dev.tune.trainer.data;

import java.util.List;
import java.util.Objects;

/**
 * A row rendered to text: pieces that are trained on or not, before tokenization.
 *
 * @param segments the text in order; each is tokenized on its own, so label boundaries are exact
 * @param addSpecialTokens add the tokenizer's own special tokens (BOS) around the text; false for
 *     chat templates, which write them
 * @param appendEos end with the EOS token (trained), so the model learns to stop
 */
public record RenderedExample(List<Segment> segments, boolean addSpecialTokens, boolean appendEos) {

  /** A piece of text; {@code trained} pieces get their token ids as labels, the others -100. */
  public record Segment(String text, boolean trained) {
    public Segment {
      Objects.requireNonNull(text, "text");
    }
  }

  public RenderedExample {
    segments = List.copyOf(segments);
  }

  /** The whole text, as the model reads it (without special tokens the tokenizer adds). */
  public String text() {
    StringBuilder b = new StringBuilder();
    segments.forEach(s -> b.append(s.text()));
    return b.toString();
  }
}
