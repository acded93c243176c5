package dev.tune.trainer.data;

import dev.tune.core.artifact.FileUri;
import dev.tune.core.train.DataSpec;
import dev.tune.trainer.tokenizer.ModelTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The fixture tokenizer, data files written from text, and data settings for tests. */
final class DataFixtures {

  private DataFixtures() {}

  /**
   * The byte-level BPE fixture (vocab 512): {@code <s>}=0 added in front, {@code </s>}=1, pad 2.
   */
  static ModelTokenizer tokenizer() {
    return ModelTokenizer.load(dir("/fixtures/hf/tokenizer"));
  }

  static Path dir(String resource) {
    try {
      return Path.of(DataFixtures.class.getResource(resource).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path write(Path dir, String name, String content) {
    return write(dir, name, content.getBytes(StandardCharsets.UTF_8));
  }

  static Path write(Path dir, String name, byte[] content) {
    try {
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      Files.write(file, content);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Data settings whose train URI is never read (the pipeline gets files). */
  static DataSpec.Builder spec() {
    return DataSpec.builder(FileUri.of(Path.of("unused.jsonl")));
  }

  static long[] concat(long[]... parts) {
    int n = 0;
    for (long[] p : parts) {
      n += p.length;
    }
    long[] out = new long[n];
    int at = 0;
    for (long[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  static long[] ignored(int n) {
    long[] out = new long[n];
    java.util.Arrays.fill(out, TokenizedExample.IGNORE_INDEX);
    return out;
  }
}
