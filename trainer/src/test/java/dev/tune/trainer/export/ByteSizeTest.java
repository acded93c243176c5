package dev.tune.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tune.core.error.BadInputException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

  @ParameterizedTest
  @CsvSource({
    "5GB, 5000000000",
    "5gb, 5000000000",
    "500MB, 500000000",
    "1.5GB, 1500000000",
    "2GiB, 2147483648",
    "100KB, 100000",
    "64KiB, 65536",
    "123, 123",
    "10 MB, 10000000",
    "7b, 7"
  })
  void readsSizesAsTransformersDoes(String text, long bytes) {
    assertThat(ByteSize.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "GB", "five GB", "5 XB", "-1", "0", "0.1B", "1e9"})
  void refusesWhatIsNotASize(String text) {
    assertThatThrownBy(() -> ByteSize.parse(text))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("is not a size");
  }
}
