package dev.batchinfer.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

class EmbeddedRedisIT {

    @Test
    void embedded_redis_answers_ping_on_loopback() {
        long t0 = System.nanoTime();
        try (EmbeddedRedis redis = EmbeddedRedis.start(0)) {
            Measurements.record("embedded redis start (ms)", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            assertThat(redis.url()).isEqualTo("redis://127.0.0.1:" + redis.port());
            RedisClient client = RedisClient.create(redis.url());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                assertThat(connection.sync().ping()).isEqualTo("PONG");
                connection.sync().set("k", "v");
                assertThat(connection.sync().get("k")).isEqualTo("v");
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void redis_runs_in_a_session_of_its_own_so_a_terminal_ctrl_c_reaches_only_the_jvm() throws Exception {
        try (EmbeddedRedis redis = EmbeddedRedis.start(0)) {
            // The pid is Redis' own (setsid ran in place), so close() signals the server itself.
            assertThat(ProcessHandle.of(redis.pid()).orElseThrow().info().command().orElse("")).contains("redis-server");
            assertThat(session(redis.pid())).isEqualTo(redis.pid()).isNotEqualTo(session(ProcessHandle.current().pid()));
        }
    }

    /** The session id, field 6 of /proc/<pid>/stat (counted after the command name in parentheses). */
    private static long session(long pid) throws java.io.IOException {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[3]);
    }

    @Test
    void close_stops_the_redis_server_process() {
        EmbeddedRedis redis = EmbeddedRedis.start(0);
        ProcessHandle child = ProcessHandle.of(redis.pid()).orElseThrow();
        redis.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !child.isAlive());
        assertThat(RedisPing.answers("127.0.0.1", redis.port(), Duration.ofMillis(200))).isFalse();
    }

    @Test
    void locator_returns_the_given_url_without_starting_anything() {
        try (RedisEndpoint endpoint = RedisLocator.locate(Optional.of("redis://redis.example:6380"))) {
            assertThat(endpoint.url()).isEqualTo("redis://redis.example:6380");
            assertThat(endpoint.embedded()).isEmpty();
        }
    }

    @Test
    void locator_starts_an_embedded_redis_when_no_url_is_given() {
        try (RedisEndpoint endpoint = RedisLocator.locate(Optional.of("  "))) {
            assertThat(endpoint.embedded()).isPresent();
            int port = endpoint.embedded().orElseThrow().port();
            assertThat(RedisPing.answers("127.0.0.1", port, Duration.ofSeconds(1))).isTrue();
        }
    }
}
