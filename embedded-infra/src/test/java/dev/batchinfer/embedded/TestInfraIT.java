package dev.batchinfer.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;

import dev.batchinfer.embedded.testing.TestInfra;
import org.junit.jupiter.api.Test;

class TestInfraIT {

    @Test
    void kafka_is_one_broker_per_jvm() {
        assertThat(TestInfra.kafka()).isSameAs(TestInfra.kafka());
        assertThat(TestInfra.bootstrapServers()).startsWith("127.0.0.1:");
    }

    @Test
    void redis_url_points_at_a_redis_that_answers_ping() {
        URI url = URI.create(TestInfra.redisUrl());
        assertThat(url.getScheme()).startsWith("redis");
        assertThat(RedisPing.answers(url.getHost(), url.getPort(), Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void unique_names_keep_the_prefix_and_differ() {
        String a = TestInfra.unique("topic");
        String b = TestInfra.unique("topic");
        assertThat(a).startsWith("topic-").matches("[a-zA-Z0-9._-]+");
        assertThat(a).isNotEqualTo(b);
    }
}
