package dev.tune.trainer.data;

import dev.tune.trainer.data.RenderedExample.Segment;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * Tokenizes rendered examples: each segment on its own (so a label boundary never falls inside a
 * token), the tokenizer's special prefix (BOS) and suffix around them when asked, and EOS at the
 * end when asked and the tokenizer has one. Labels are the ids of trained segments and -100
 * elsewhere.
 */
final class ExampleTokenizer {

  private final ModelTokenizer tokenizer;
  private final long[] prefix;
  private final long[] suffix;
  private final OptionalLong eos;

  ExampleTokenizer(ModelTokenizer tokenizer) {
    this.tokenizer = tokenizer;
    // What the post-processor adds around a text: the ids of "a" with and without specials.
    long[] with = tokenizer.encode("a", true);
    long[] without = tokenizer.encode("a", false);
    int at = indexOf(with, without);
    if (at < 0) {
      prefix = new long[0];
      suffix = new long[0];
    } else {
      prefix = Arrays.copyOfRange(with, 0, at);
      suffix = Arrays.copyOfRange(with, at + without.length, with.length);
    }
    this.eos = tokenizer.eosTokenId();
  }

  TokenizedExample tokenize(RenderedExample example) {
    LongList ids = new LongList(256);
    LongList labels = new LongList(256);
    if (example.addSpecialTokens()) {
      for (long id : prefix) {
        ids.add(id);
        labels.add(TokenizedExample.IGNORE_INDEX);
      }
    }
    boolean lastTrained = false;
    for (Segment segment : example.segments()) {
      if (segment.text().isEmpty()) {
        continue;
      }
      for (long id : tokenizer.encode(segment.text(), false)) {
        ids.add(id);
        labels.add(segment.trained() ? id : TokenizedExample.IGNORE_INDEX);
      }
      lastTrained = segment.trained();
    }
    if (example.addSpecialTokens()) {
      for (long id : suffix) {
        ids.add(id);
        labels.add(lastTrained ? id : TokenizedExample.IGNORE_INDEX);
      }
    }
    if (example.appendEos()
        && eos.isPresent()
        && (ids.size() == 0 || ids.last() != eos.getAsLong())) {
      ids.add(eos.getAsLong());
      labels.add(eos.getAsLong());
    }
    return TokenizedExample.single(ids.toArray(), labels.toArray());
  }

  private static int indexOf(long[] haystack, long[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** A growable array of longs, without boxing. */
  private static final class LongList {
    private long[] values;
    private int size;

    LongList(int capacity) {
      values = new long[capacity];
    }

    void add(long value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    int size() {
      return size;
    }

    long last() {
      return values[size - 1];
    }

    long[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
