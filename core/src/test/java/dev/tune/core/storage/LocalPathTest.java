package dev.tune.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.BadInputException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalPathTest {
  @TempDir Path temp;

  @Test
  void aKeyBecomesNestedDirectories() {
    assertThat(LocalPath.below(temp, "a/b/model.safetensors", "s3://b/p/"))
        .isEqualTo(temp.resolve("a").resolve("b").resolve("model.safetensors"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"../etc/passwd", "a/../../x", "a//b", "./a", "a/", "/abs"})
  void aKeyThatWouldLeaveTheDirectoryIsRefused(String key) {
    assertThatThrownBy(() -> LocalPath.below(temp, key, "s3://b/p/"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("'" + key + "'")
        .hasMessageContaining("s3://b/p/");
  }
}
