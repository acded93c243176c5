package dev.tune.core.storage.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy =
      new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(30));

  @Test
  void backoffDoublesUpToTheLimit() {
    assertThat(policy.delayBefore(2, Optional.empty())).isEqualTo(Duration.ofMillis(500));
    assertThat(policy.delayBefore(3, Optional.empty())).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.delayBefore(5, Optional.empty())).isEqualTo(Duration.ofSeconds(4));
    assertThat(policy.delayBefore(60, Optional.empty())).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void retryAfterWinsButIsBounded() {
    assertThat(policy.delayBefore(2, Optional.of(Duration.ofSeconds(7))))
        .isEqualTo(Duration.ofSeconds(7));
    assertThat(policy.delayBefore(2, Optional.of(Duration.ofHours(1))))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.delayBefore(2, Optional.of(Duration.ofSeconds(-3)))).isZero();
  }

  @Test
  void retryAfterIsReadInSecondsOrAsADate() {
    assertThat(HttpTransfer.retryAfter(headers("90"))).contains(Duration.ofSeconds(90));
    String inAMinute =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
    assertThat(HttpTransfer.retryAfter(headers(inAMinute)))
        .hasValueSatisfying(
            d -> assertThat(d).isBetween(Duration.ofSeconds(50), Duration.ofSeconds(61)));
    assertThat(HttpTransfer.retryAfter(headers("soon"))).isEmpty();
    assertThat(HttpTransfer.retryAfter(HttpHeaders.of(Map.of(), (a, b) -> true))).isEmpty();
  }

  private static HttpHeaders headers(String retryAfter) {
    return HttpHeaders.of(Map.of("Retry-After", List.of(retryAfter)), (a, b) -> true);
  }
}
