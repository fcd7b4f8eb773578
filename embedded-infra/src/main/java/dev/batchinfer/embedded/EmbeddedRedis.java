package dev.batchinfer.embedded;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.common.utils.Utils;
import redis.embedded.core.ExecutableProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A redis-server child process (the 6.2 binary bundled by embedded-redis) bound to 127.0.0.1, without
 * persistence. For machines without a Redis. Stopped by {@link #close()}, by a JVM shutdown hook on a
 * normal exit, and - if this JVM is SIGKILLed - by the next start in any JVM (see {@link RedisOrphans}).
 */
public final class EmbeddedRedis implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    /** A free port picked by us may be taken before redis binds it: try a few. */
    private static final int ATTEMPTS_ON_FREE_PORT = 3;

    private final int port;
    private final Process process;
    private final Path workDir;
    private final Thread shutdownHook;
    private boolean closed;

    private EmbeddedRedis(int port, Process process, Path workDir) {
        this.port = port;
        this.process = process;
        this.workDir = workDir;
        this.shutdownHook = new Thread(this::cleanUp, "embedded-redis-" + port + "-stopper");
    }

    /** Starts redis-server on 127.0.0.1:{@code port}; port 0 picks a free port. Returns once it answers PING. */
    public static EmbeddedRedis start(int port) {
        return start(port, null);
    }

    /**
     * As {@link #start(int)}, keeping its data in {@code dataDir} with an append-only file fsynced every
     * second ({@code appendfsync everysec}): a killed process loses nothing, a host crash at most the
     * last second of writes. A server started again on the same dir loads it. Null: nothing on disk.
     */
    public static EmbeddedRedis start(int port, Path dataDir) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
        RedisOrphans.reap();
        int attempts = port == 0 ? ATTEMPTS_ON_FREE_PORT : 1;
        IllegalStateException failure = null;
        for (int i = 0; i < attempts; i++) {
            try {
                return startOn(port == 0 ? FreePorts.pick() : port, dataDir);
            } catch (IllegalStateException e) {
                failure = e;
            }
        }
        throw failure;
    }

    private static EmbeddedRedis startOn(int port, Path dataDir) {
        long t0 = System.nanoTime();
        Path workDir;
        Process process;
        try {
            // One dir per server holds the binary, its log and nothing else, so one delete cleans up -
            // also for the orphan reaper. We launch the binary ourselves rather than through embedded-redis's
            // RedisServer so that we hold the Process: its pid, a kill on failed startup, no undrained pipe.
            workDir = Files.createTempDirectory("embedded-redis-" + port + "-");
            File binary = ExecutableProvider.newJarResourceProvider(workDir.toFile()).get();
            List<String> command = new ArrayList<>();
            // In a session of its own, so that a terminal's Ctrl-C, which signals the whole foreground
            // process group, reaches the JVM only: the JVM stops the services that use Redis first.
            // The child is no process group leader, so setsid execs in place and the pid stays Redis'.
            if (Files.isExecutable(SETSID)) {
                command.add(SETSID.toString());
            }
            command.addAll(List.of(binary.getAbsolutePath(),
                    "--port", Integer.toString(port),
                    "--bind", HOST,
                    // No RDB snapshots; an AOF only where data is to be kept.
                    "--save", "",
                    "--appendonly", dataDir == null ? "no" : "yes",
                    "--appendfsync", "everysec",
                    "--daemonize", "no",
                    "--loglevel", "warning",
                    "--dir", dataDir == null ? workDir.toString() : Files.createDirectories(dataDir).toString()));
            process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    // To a file, not a pipe: an undrained pipe would eventually block redis' logging.
                    .redirectOutput(workDir.resolve("redis.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch redis-server", e);
        }
        EmbeddedRedis redis = new EmbeddedRedis(port, process, workDir);
        RedisOrphans.record(process.toHandle(), workDir);
        Runtime.getRuntime().addShutdownHook(redis.shutdownHook);
        try {
            redis.awaitPong();
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
        log.info("redis-server pid {} on {}:{} ready in {} ms",
                process.pid(), HOST, port, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return redis;
    }

    private void awaitPong() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!RedisPing.answers(HOST, port, Duration.ofMillis(500))) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue()
                        + " on port " + port + ": " + readLog());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server on port " + port + " not ready in "
                        + READY_TIMEOUT + ": " + readLog());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://" + HOST + ":" + port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /**
     * For an owner that closes this server in a shutdown hook of its own, after the clients that use
     * it: drops the hook that would otherwise stop Redis at the same moment, since the JVM runs all
     * shutdown hooks at once, and the clients would spend their shutdown reconnecting.
     */
    public void leaveShutdownToOwner() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // Too late to matter.
        }
    }

    /** Stops redis-server and removes its working dir. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or about to: cleanUp is idempotent.
        }
        cleanUp();
    }

    private void cleanUp() {
        destroyProcess();
        try {
            Utils.delete(workDir.toFile());
        } catch (IOException e) {
            log.debug("cannot delete {}", workDir, e);
        }
        RedisOrphans.forget(process.toHandle());
    }

    private void destroyProcess() {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM: with no persistence configured redis exits at once.
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private String readLog() {
        try {
            return Files.readString(workDir.resolve("redis.log"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public String toString() {
        return "EmbeddedRedis[" + url() + ", pid " + process.pid() + "]";
    }
}
