package dev.batchinfer.topics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.topics.message.Priority;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetentionCheckTest {

  private final Topic<?, ?> requests = Topics.DEFAULT.requests(Priority.NORMAL);

  @Test
  void a_request_topic_keeping_7_days_falls_short_and_the_message_says_by_how_much() {
    assertThat(RetentionCheck.shortfall(requests, Duration.ofDays(7).toMillis())).hasValue(
        "topic inference.requests.normal keeps records 7d (retention.ms=604800000), less than the catalogue's 31d"
            + " (retention.ms=2678400000)");
  }

  @Test
  void the_catalogue_retention_longer_and_unlimited_are_enough() {
    assertThat(RetentionCheck.shortfall(requests, Topics.REQUEST_RETENTION.toMillis())).isEmpty();
    assertThat(RetentionCheck.shortfall(requests, Duration.ofDays(365).toMillis())).isEmpty();
    assertThat(RetentionCheck.shortfall(requests, -1)).isEmpty();
  }
}
