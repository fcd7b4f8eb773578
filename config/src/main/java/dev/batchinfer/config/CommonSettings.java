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
  /** WORKER_GROUP_ID: the workers' consumer group, which the API reads too (where a priority change starts). */
  public static final String DEFAULT_WORKER_GROUP_ID = "gpu-worker";

  public static CommonSettings from(Env env) {
    String redis = env.string("REDIS_URL", DEFAULT_REDIS_URL);
    checkRedisUrl(redis);
    return new CommonSettings(
        env.string("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA_BOOTSTRAP_SERVERS),
        redis,
        env.string("TOPIC_PREFIX", DEFAULT_TOPIC_PREFIX),
        env.string("REDIS_KEY_PREFIX", DEFAULT_REDIS_KEY_PREFIX));
  }

  private static final java.util.regex.Pattern CLUSTER_NODE = java.util.regex.Pattern.compile("[^,:/?@]+:\\d{1,5}");

  /**
   * One server ({@code redis://host:6379}, {@code rediss://} for TLS) or a Redis Cluster given by some of its nodes
   * ({@code redis-cluster://host1:7000,host2:7001}, {@code rediss-cluster://} for TLS): the rest of the cluster is
   * found from them.
   */
  static void checkRedisUrl(String redis) {
    String fix = "REDIS_URL must look like redis://host:6379, rediss://host:6380 or redis-cluster://host1:7000,host2:7001";
    if (redis.startsWith("redis://") || redis.startsWith("rediss://")) {
      return;
    }
    if (!redis.startsWith("redis-cluster://") && !redis.startsWith("rediss-cluster://")) {
      throw new Env.SettingException(fix + ", got '" + redis + "'");
    }
    String rest = redis.substring(redis.indexOf("://") + 3);
    rest = rest.substring(rest.lastIndexOf('@') + 1);
    int query = rest.indexOf('?');
    String hosts = query < 0 ? rest : rest.substring(0, query);
    for (String node : hosts.split(",", -1)) {
      if (!CLUSTER_NODE.matcher(node).matches()) {
        throw new Env.SettingException(fix + " (every node as host:port), got '" + node + "' in '" + redis + "'");
      }
    }
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
