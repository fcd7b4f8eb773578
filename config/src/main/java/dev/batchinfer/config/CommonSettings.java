package dev.batchinfer.config;

/**
 * The settings every service shares: where Kafka and Redis are, and the name spaces that keep
 * deployments (or tests) sharing one Kafka or Redis apart.
 *
 * @param kafkaBootstrapServers KAFKA_BOOTSTRAP_SERVERS
 * @param redisUrl REDIS_URL
 * @param topicPrefix TOPIC_PREFIX, prepended to every topic name
 * @param redisKeyPrefix REDIS_KEY_PREFIX, prepended to every Redis key
 */
public record CommonSettings(String kafkaBootstrapServers, String redisUrl, String topicPrefix, String redisKeyPrefix) {

  public static final String DEFAULT_KAFKA_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
  public static final String DEFAULT_TOPIC_PREFIX = "";
  public static final String DEFAULT_REDIS_KEY_PREFIX = "bi:";

  public static CommonSettings from(Env env) {
    String redis = env.string("REDIS_URL", DEFAULT_REDIS_URL);
    if (!redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
      throw new Env.SettingException("REDIS_URL must look like redis://host:6379 or rediss://host:6380, got '" + redis + "'");
    }
    return new CommonSettings(
        env.string("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA_BOOTSTRAP_SERVERS),
        redis,
        env.string("TOPIC_PREFIX", DEFAULT_TOPIC_PREFIX),
        env.string("REDIS_KEY_PREFIX", DEFAULT_REDIS_KEY_PREFIX));
  }

  public CommonSettings withKafka(String bootstrap) {
    return new CommonSettings(bootstrap, redisUrl, topicPrefix, redisKeyPrefix);
  }

  public CommonSettings withRedis(String url) {
    return new CommonSettings(kafkaBootstrapServers, url, topicPrefix, redisKeyPrefix);
  }

  public dev.batchinfer.topics.Topics topics() {
    return dev.batchinfer.topics.Topics.withPrefix(topicPrefix);
  }
}
