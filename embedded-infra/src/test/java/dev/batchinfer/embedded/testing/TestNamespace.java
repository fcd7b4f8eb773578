package dev.batchinfer.embedded.testing;

import java.util.HashMap;
import java.util.Map;

/**
 * A test's private corner of the shared broker and Redis: its own topic prefix, consumer groups and
 * key prefix, expressed as the environment variables every service reads.
 */
public record TestNamespace(String topicPrefix, String redisKeyPrefix) {

    public static TestNamespace create(String name) {
        String id = TestInfra.unique(name);
        return new TestNamespace(id + ".", id + ":");
    }

    /** KAFKA_BOOTSTRAP_SERVERS, REDIS_URL, TOPIC_PREFIX and REDIS_KEY_PREFIX, plus {@code extra}. */
    public Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", TestInfra.bootstrapServers());
        env.put("REDIS_URL", TestInfra.redisUrl());
        env.put("TOPIC_PREFIX", topicPrefix);
        env.put("REDIS_KEY_PREFIX", redisKeyPrefix);
        env.putAll(extra);
        return env;
    }
}
