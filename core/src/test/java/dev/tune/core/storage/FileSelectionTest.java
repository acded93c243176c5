package dev.tune.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.artifact.ArtifactUri;
import dev.tune.core.error.NotFoundException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileSelectionTest {
  private static final List<String> MODEL_REPO =
      List.of(
          ".gitattributes",
          "README.md",
          "config.json",
          "generation_config.json",
          "model-00001-of-00002.safetensors",
          "model-00002-of-00002.safetensors",
          "model.safetensors.index.json",
          "pytorch_model-00001-of-00002.bin",
          "pytorch_model-00002-of-00002.bin",
          "pytorch_model.bin.index.json",
          "original/consolidated.00.pth",
          "tf_model.h5",
          "flax_model.msgpack",
          "onnx/model.onnx",
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json");

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "*.json|config.json|true",
        "*.json|sub/dir/config.json|true", // '*' crosses '/', as in the Hub's clients
        "tokenizer*|tokenizer_config.json|true",
        "tokenizer*|my_tokenizer.json|false",
        "model-0000?-of-00002.safetensors|model-00001-of-00002.safetensors|true",
        "model-0000?-of-00002.safetensors|model-00010-of-00002.safetensors|false",
        "[ab]*.txt|a1.txt|true",
        "[ab]*.txt|c1.txt|false",
        "[!ab]*.txt|c1.txt|true",
        "[!ab]*.txt|b1.txt|false",
        "original/|original/params.json|true",
        "original/|originals/params.json|false",
        "a.b|a.b|true",
        "a.b|axb|false",
        "(x)+|(x)+|true",
        "[|[|true",
      })
  void globsMatchLikeFnmatch(String pattern, String path, boolean matches) {
    assertThat(Glob.of(pattern).matches(path)).isEqualTo(matches);
  }

  @Test
  void emptyPatternIsRejected() {
    assertThatThrownBy(() -> Glob.of("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void safetensorsCrowdOutOtherWeightFormatsAndTheirIndexes() {
    assertThat(FileSelection.all().select(MODEL_REPO))
        .containsExactly(
            ".gitattributes",
            "README.md",
            "config.json",
            "generation_config.json",
            "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors",
            "model.safetensors.index.json",
            "tokenizer.json",
            "tokenizer_config.json",
            "special_tokens_map.json");
  }

  @Test
  void withoutSafetensorsOtherFormatsAreKept() {
    List<String> binOnly = List.of("config.json", "pytorch_model.bin", "training_args.bin");

    assertThat(FileSelection.all().select(binOnly)).isEqualTo(binOnly);
  }

  @Test
  void preferenceCanBeTurnedOff() {
    assertThat(new FileSelection(List.of(), List.of(), false).select(MODEL_REPO))
        .isEqualTo(MODEL_REPO);
  }

  @Test
  void allowThenIgnoreThenPreference() {
    FileSelection selection =
        new FileSelection(
            List.of("*.safetensors", "*.json", "tokenizer*", "*.bin"),
            List.of("generation_config.json"),
            true);

    assertThat(selection.select(MODEL_REPO))
        .containsExactly(
            "config.json",
            "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors",
            "model.safetensors.index.json",
            "tokenizer.json",
            "tokenizer_config.json",
            "special_tokens_map.json");
  }

  @Test
  void selectingNothingFromALocationIsNotFoundShowingWhatThereIs() {
    FileSelection onlyGguf = new FileSelection(List.of("*.gguf"), List.of("README*"), true);

    assertThatThrownBy(
            () -> onlyGguf.selectFrom(ArtifactUri.parse("s3://models/tiny/"), MODEL_REPO))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("None of the 17 files below s3://models/tiny/")
        .hasMessageContaining("allow [*.gguf] and ignore [README*]")
        .hasMessageContaining(".gitattributes, README.md, config.json")
        .hasMessageEndingWith(", ....");
    assertThat(FileSelection.all().selectFrom(ArtifactUri.parse("s3://models/tiny/"), List.of("a")))
        .containsExactly("a");
  }
}
