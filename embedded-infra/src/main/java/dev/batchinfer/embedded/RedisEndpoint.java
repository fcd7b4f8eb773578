package dev.batchinfer.embedded;

import java.util.Optional;

/**
 * Where Redis is, and - if we started it - the server to stop. Closing an external endpoint does nothing.
 */
public final class RedisEndpoint implements AutoCloseable {
    private final String url;
    private final EmbeddedRedis embedded;

    RedisEndpoint(String url, EmbeddedRedis embedded) {
        this.url = url;
        this.embedded = embedded;
    }

    public String url() {
        return url;
    }

    /** The server this endpoint started, if it did not come from REDIS_URL. */
    public Optional<EmbeddedRedis> embedded() {
        return Optional.ofNullable(embedded);
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }

    @Override
    public String toString() {
        return url + (embedded != null ? " (embedded)" : "");
    }
}
