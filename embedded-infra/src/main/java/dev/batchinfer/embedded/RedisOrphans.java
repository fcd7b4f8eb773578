package dev.batchinfer.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shutdown hooks do not run when a JVM is SIGKILLed (e.g. a test run killed on timeout), and the
 * redis-server child then keeps running and holding its port. Each child is recorded as a file
 * "&lt;redis pid&gt;" holding the owner JVM's pid and the child's work dir; the next start in any JVM kills
 * children whose owner is gone and deletes their dirs.
 */
final class RedisOrphans {
    private static final Logger log = LoggerFactory.getLogger(RedisOrphans.class);
    private static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "embedded-redis-owners");

    private RedisOrphans() {
    }

    static void record(ProcessHandle redis, Path workDir) {
        try {
            Files.createDirectories(DIR);
            Files.writeString(DIR.resolve(Long.toString(redis.pid())),
                    ProcessHandle.current().pid() + "\n" + workDir.toAbsolutePath() + "\n");
        } catch (IOException e) {
            log.warn("cannot record redis-server pid {}; it would leak if this JVM is killed", redis.pid(), e);
        }
    }

    static void forget(ProcessHandle redis) {
        try {
            Files.deleteIfExists(DIR.resolve(Long.toString(redis.pid())));
        } catch (IOException e) {
            log.debug("cannot delete pid record {}", redis.pid(), e);
        }
    }

    /** Kills redis-server children of dead JVMs. Best effort: a failure here must not stop a start. */
    static void reap() {
        if (!Files.isDirectory(DIR)) {
            return;
        }
        try (DirectoryStream<Path> records = Files.newDirectoryStream(DIR)) {
            for (Path record : records) {
                reap(record);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("orphan scan failed", e);
        }
    }

    private static void reap(Path record) throws IOException {
        long redisPid;
        long ownerPid;
        List<String> lines = Files.readAllLines(record, StandardCharsets.UTF_8);
        try {
            redisPid = Long.parseLong(record.getFileName().toString());
            ownerPid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            Files.deleteIfExists(record);
            return;
        }
        if (isRunning(ownerPid)) {
            return; // Another live JVM's server: not ours to touch.
        }
        Optional<ProcessHandle> redis = ProcessHandle.of(redisPid).filter(ProcessHandle::isAlive);
        // Pids are reused: only kill what is still a redis-server.
        if (redis.isPresent() && redis.get().info().command().orElse("").contains("redis-server")) {
            log.warn("killing redis-server pid {} left behind by dead JVM {}", redisPid, ownerPid);
            redis.get().destroyForcibly();
            try {
                // Gone before anything starts again: a new server may be about to open the same AOF.
                redis.get().onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                log.warn("redis-server pid {} did not exit in 10 s", redisPid);
            }
        }
        if (lines.size() > 1 && lines.get(1).contains("embedded-redis-")) {
            Utils.delete(Path.of(lines.get(1).trim()).toFile());
        }
        Files.deleteIfExists(record);
    }

    /**
     * A killed JVM whose parent does not reap it (PID 1 in many containers) stays a zombie, and
     * ProcessHandle calls a zombie alive; /proc tells the truth.
     */
    private static boolean isRunning(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // Format: "pid (comm) state ..."; comm may contain spaces and parentheses, so take the last ')'.
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return true; // No /proc (not Linux) or a race: assume alive, the safe side.
        }
    }
}
