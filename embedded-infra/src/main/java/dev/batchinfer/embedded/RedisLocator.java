package dev.batchinfer.embedded;

import java.util.Optional;

/**
 * Standalone mode's rule: use REDIS_URL if set, otherwise start an embedded Redis, so that the system
 * runs on a laptop with nothing installed.
 */
public final class RedisLocator {
    public static final String REDIS_URL_ENV = "REDIS_URL";

    private RedisLocator() {
    }

    /** REDIS_URL from the environment, else an embedded Redis on a free port. */
    public static RedisEndpoint fromEnvironment() {
        return locate(Optional.ofNullable(System.getenv(REDIS_URL_ENV)));
    }

    /** {@code redisUrl} if present and not blank, else an embedded Redis on a free port. */
    public static RedisEndpoint locate(Optional<String> redisUrl) {
        return locate(redisUrl, 0);
    }

    /** {@code redisUrl} if present and not blank, else an embedded Redis on {@code embeddedPort} (0: free). */
    public static RedisEndpoint locate(Optional<String> redisUrl, int embeddedPort) {
        return locate(redisUrl, embeddedPort, null);
    }

    /** As {@link #locate(Optional, int)}; an embedded Redis keeps its data in {@code dataDir} (AOF), null: none. */
    public static RedisEndpoint locate(Optional<String> redisUrl, int embeddedPort, java.nio.file.Path dataDir) {
        Optional<String> given = redisUrl.map(String::strip).filter(u -> !u.isEmpty());
        if (given.isPresent()) {
            return new RedisEndpoint(given.get(), null);
        }
        EmbeddedRedis redis = EmbeddedRedis.start(embeddedPort, dataDir);
        return new RedisEndpoint(redis.url(), redis);
    }
}
