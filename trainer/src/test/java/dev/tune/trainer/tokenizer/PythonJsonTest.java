package dev.tune.trainer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Python's json.dumps output, which transformers' tojson filter produces. */
class PythonJsonTest {

  @Test
  void floatsAreSpelledAsPythonRepr() {
    List<Object> values =
        Arrays.asList(
            1.0,
            0.1,
            1e-05,
            0.0001,
            1e16,
            1234567890123456.0,
            1.2345678901234568e17,
            -2.5e-07,
            Double.POSITIVE_INFINITY,
            -0.0,
            3,
            new BigInteger("100000000000000000000"));

    assertThat(PythonJson.dumps(values))
        .isEqualTo(
            "[1.0, 0.1, 1e-05, 0.0001, 1e+16, 1234567890123456.0, 1.2345678901234568e+17,"
                + " -2.5e-07, Infinity, -0.0, 3, 100000000000000000000]");
  }

  @Test
  void indentDropsTheSpaceAfterCommasAndKeepsEmptyContainersShort() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("d", null);
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("b", List.of());
    value.put("a", Map.of());
    value.put("c", List.of(1, inner));

    assertThat(new PythonJson(false, "  ", null, false).write(value))
        .isEqualTo(
            """
            {
              "b": [],
              "a": {},
              "c": [
                1,
                {
                  "d": null
                }
              ]
            }""");
    assertThat(new PythonJson(false, "", null, false).write(List.of(1, 2)))
        .isEqualTo("[\n1,\n2\n]");
  }

  @Test
  void stringsEscapeOnlyWhatJsonDumpsEscapes() {
    assertThat(PythonJson.dumps("\u0000\u001f\u007f\u2028\b\f\t/\\ 😀"))
        .isEqualTo("\"\\u0000\\u001f\u007f\u2028\\b\\f\\t/\\\\ 😀\"");
    assertThat(new PythonJson(true, null, null, false).write("é😀"))
        .isEqualTo("\"\\u00e9\\ud83d\\ude00\"");
  }

  @Test
  void keysBecomeStringsAndCanBeSorted() {
    Map<Object, Object> value = new LinkedHashMap<>();
    value.put("z", 1);
    value.put(2.5, "w");
    value.put(null, "n");
    value.put(7L, "i");

    assertThat(PythonJson.dumps(value))
        .isEqualTo("{\"z\": 1, \"2.5\": \"w\", \"null\": \"n\", \"7\": \"i\"}");
    assertThat(new PythonJson(false, null, List.of(",", ":"), true).write(value))
        .isEqualTo("{\"2.5\":\"w\",\"7\":\"i\",\"null\":\"n\",\"z\":1}");
  }

  @Test
  void otherObjectsAreNotSerializable() {
    assertThatThrownBy(() -> PythonJson.dumps(List.of(new Object())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Object of type Object is not JSON serializable");
  }
}
