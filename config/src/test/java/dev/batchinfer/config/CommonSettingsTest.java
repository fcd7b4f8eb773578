package dev.batchinfer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CommonSettingsTest {

  @Test
  void a_redis_url_names_one_server_or_a_cluster() {
    for (String url : new String[] {"redis://h:6379", "rediss://:pw@h:6380/2", "redis-cluster://h1:7000,h2:7001",
        "rediss-cluster://u:pw@h1:7000?timeout=3s"}) {
      assertThat(CommonSettings.from(Env.of(Map.of("REDIS_URL", url))).redisUrl()).isEqualTo(url);
    }
  }

  @Test
  void a_redis_url_that_is_neither_is_refused_with_the_forms_it_may_take() {
    assertThatThrownBy(() -> CommonSettings.from(Env.of(Map.of("REDIS_URL", "127.0.0.1:6379"))))
        .hasMessageContaining("redis-cluster://host1:7000,host2:7001").hasMessageContaining("'127.0.0.1:6379'");
    assertThatThrownBy(() -> CommonSettings.from(Env.of(Map.of("REDIS_URL", "redis-cluster://h1:7000,h2"))))
        .hasMessageContaining("every node as host:port").hasMessageContaining("'h2'");
  }
}
