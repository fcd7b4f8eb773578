package dev.batchinfer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisUrlTest {

  @Test
  void one_server_is_read_as_lettuce_reads_it() {
    RedisUrl url = RedisUrl.parse("redis://127.0.0.1:6380?timeout=2s");
    assertThat(url.isCluster()).isFalse();
    assertThat(url.setsTimeout()).isTrue();
    assertThat(url.nodes()).singleElement().satisfies(n -> {
      assertThat(n.getPort()).isEqualTo(6380);
      assertThat(n.getTimeout()).isEqualTo(Duration.ofSeconds(2));
    });
  }

  @Test
  void a_cluster_lists_its_nodes_and_every_node_gets_the_credentials_and_the_query() {
    RedisUrl url = RedisUrl.parse("rediss-cluster://app:s3cret@10.0.0.1:7000,10.0.0.2:7001?timeout=3s");
    assertThat(url.isCluster()).isTrue();
    assertThat(url.nodes()).extracting(RedisURI::getHost).containsExactly("10.0.0.1", "10.0.0.2");
    assertThat(url.nodes()).extracting(RedisURI::getPort).containsExactly(7000, 7001);
    assertThat(url.nodes()).allSatisfy(n -> {
      assertThat(n.isSsl()).isTrue();
      io.lettuce.core.RedisCredentials c = n.getCredentialsProvider().resolveCredentials().block();
      assertThat(c.getUsername()).isEqualTo("app");
      assertThat(new String(c.getPassword())).isEqualTo("s3cret");
      assertThat(n.getTimeout()).isEqualTo(Duration.ofSeconds(3));
    });
    assertThat(RedisUrl.parse("redis-cluster://h:7000").setsTimeout()).isFalse();
    assertThat(RedisUrl.parse("redis-cluster://h:7000").nodes().get(0).isSsl()).isFalse();
  }

  @Test
  void a_cluster_node_without_a_port_is_refused() {
    assertThatThrownBy(() -> RedisUrl.parse("redis-cluster://h1:7000,h2")).hasMessageContaining("'h2'");
  }
}
