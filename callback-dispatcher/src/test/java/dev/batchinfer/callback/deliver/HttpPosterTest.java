package dev.batchinfer.callback.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class HttpPosterTest {

  @Test
  void retry_after_in_seconds_is_read_and_capped_at_a_day() {
    assertThat(HttpPoster.parseRetryAfter("120")).isEqualTo(Duration.ofSeconds(120));
    assertThat(HttpPoster.parseRetryAfter("99999999")).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void retry_after_as_an_http_date_is_the_time_until_then() {
    String inOneHour = ZonedDateTime.now(ZoneOffset.UTC).plusHours(1).format(DateTimeFormatter.RFC_1123_DATE_TIME);
    assertThat(HttpPoster.parseRetryAfter(inOneHour)).isBetween(Duration.ofMinutes(58), Duration.ofMinutes(60));
    String past = ZonedDateTime.now(ZoneOffset.UTC).minusHours(1).format(DateTimeFormatter.RFC_1123_DATE_TIME);
    assertThat(HttpPoster.parseRetryAfter(past)).isEqualTo(Duration.ZERO);
  }

  @Test
  void a_retry_after_that_is_neither_is_ignored() {
    assertThat(HttpPoster.parseRetryAfter("soon")).isNull();
    assertThat(HttpPoster.parseRetryAfter("-5")).isNull();
  }
}
