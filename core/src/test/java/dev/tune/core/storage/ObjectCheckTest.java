package dev.tune.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.RemoteFailureException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectCheckTest {
  private static final ObjectCheck CHECK = new ObjectCheck("the store");

  @TempDir Path temp;
  private Path file;

  @BeforeEach
  void writeFile() throws Exception {
    // The check input of the CRC catalogue and of many MD5 test vectors.
    file = Files.writeString(temp.resolve("part"), "123456789");
  }

  @Test
  void digestsTheWholeContent() throws Exception {
    assertThat(HexFormat.of().formatHex(ObjectCheck.md5(file)))
        .isEqualTo("25f9e794323b453885f5181f1b624d0b");
    assertThat(HexFormat.of().formatHex(ObjectCheck.crc32c(file))).isEqualTo("e3069283");
  }

  @Test
  void aFileOfTheObjectsSizePasses() {
    assertThatCode(() -> CHECK.size(file, 9, "s3://b/k")).doesNotThrowAnyException();
  }

  @Test
  void aShortFileIsDamaged() {
    assertThatThrownBy(() -> CHECK.size(file, 10, "s3://b/k"))
        .isInstanceOf(RemoteFailureException.class)
        .hasMessageContaining("s3://b/k arrived damaged: 9 bytes arrived but the object has 10")
        .hasMessageContaining("The download was deleted");
  }

  @Test
  void aChecksumThatDiffersNamesBothValuesAndTheStore() {
    assertThatThrownBy(() -> CHECK.checksum("MD5", "aa", "bb", "the ETag", "s3://b/k"))
        .isInstanceOf(RemoteFailureException.class)
        .hasMessageContaining("its MD5 is aa but the ETag says bb")
        .satisfies(
            e ->
                assertThat(((RemoteFailureException) e).fix())
                    .contains("between you and the store alters"));
    assertThatCode(() -> CHECK.checksum("MD5", "aa", "aa", "the ETag", "s3://b/k"))
        .doesNotThrowAnyException();
  }
}
