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

  @Test
  void a_size_limit_on_a_request_topic_is_named_and_none_is_fine() {
    assertThat(RetentionCheck.sizeLimit(requests, 1_073_741_824L)).hasValueSatisfying(why ->
        assertThat(why).contains("inference.requests.normal").contains("retention.bytes=1073741824").contains("accepted work"));
    assertThat(RetentionCheck.sizeLimit(requests, -1)).isEmpty();
    assertThat(RetentionCheck.sizeLimit(Topics.DEFAULT.progress(), 1_000)).as("a topic the catalogue leaves to the broker").isEmpty();
  }
}
