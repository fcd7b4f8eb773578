package dev.batchinfer.topics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.topics.message.Priority;
import java.time.Duration;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void request_topics_keep_a_chunk_for_longer_than_the_longest_completion_window() {
    for (Priority p : Priority.values()) {
      Duration kept = Duration.ofMillis(Long.parseLong(
          Topics.DEFAULT.requests(p).configs().get(TopicConfig.RETENTION_MS_CONFIG)));
      assertThat(kept).as(p.wire()).isGreaterThan(Topics.MAX_COMPLETION_WINDOW);
    }
  }
}
