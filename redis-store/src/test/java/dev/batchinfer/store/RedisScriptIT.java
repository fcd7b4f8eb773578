package dev.batchinfer.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchinfer.embedded.testing.TestInfra;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import org.junit.jupiter.api.Test;

/** Scripts run by their SHA against a real Redis, and survive Redis forgetting them. */
class RedisScriptIT {

  private static final String INCR_BY = "return redis.call('INCRBY', KEYS[1], ARGV[1])";

  @Test
  void a_script_runs_again_after_redis_forgot_it_whether_waited_for_or_not() {
    String key = TestInfra.unique("script");
    try (Redis redis = Redis.connect(TestInfra.redisUrl(), "")) {
      Redis.Script incr = redis.script(INCR_BY);
      assertThat(incr.<Long>run(ScriptOutputType.INTEGER, new String[] {key}, "2")).isEqualTo(2L);
      redis.sync().scriptFlush();
      assertThat(incr.<Long>run(ScriptOutputType.INTEGER, new String[] {key}, "3")).isEqualTo(5L);
      redis.sync().scriptFlush();
      var sent = incr.<Long>runAsync(ScriptOutputType.INTEGER, new String[] {key}, "4");
      assertThat(Redis.await(sent)).isEqualTo(9L);
      redis.sync().del(key);
    }
  }

  @Test
  void a_failing_script_fails_the_waiting_caller_with_the_redis_error_itself() {
    try (Redis redis = Redis.connect(TestInfra.redisUrl(), "")) {
      Redis.Script broken = redis.script("return redis.call('NO_SUCH_COMMAND')");
      assertThatThrownBy(() -> broken.run(ScriptOutputType.INTEGER, new String[] {TestInfra.unique("k")}))
          .isInstanceOf(RedisCommandExecutionException.class);
    }
  }
}
