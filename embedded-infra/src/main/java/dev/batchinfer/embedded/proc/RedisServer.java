package dev.batchinfer.embedded.proc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of our own, as an OS process on a fixed loopback port, with its append-only file in
 * {@code dir}: it can be killed with SIGKILL and started again from its AOF, paused with SIGSTOP, stopped for an
 * outage. The port stays the same across restarts, so clients reconnect to it.
 */
public final class RedisServer implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final String appendfsync;
  private final List<String> extraArgs;
  private Process process;

  private RedisServer(Path dir, int port, String appendfsync, List<String> extraArgs) {
    this.dir = dir.toAbsolutePath();
    this.port = port;
    this.appendfsync = appendfsync;
    this.extraArgs = List.copyOf(extraArgs);
  }

  /** @param appendfsync {@code always} or {@code everysec} (what a host crash can lose; a process kill loses nothing either way) */
  public static RedisServer start(Path dir, int port, String appendfsync) {
    RedisServer r = new RedisServer(dir, port, appendfsync, List.of());
    r.start();
    return r;
  }

  /**
   * A node of a Redis Cluster, not yet joined to one ({@link RedisCluster} does that). Its cluster bus is on
   * port + 10000; its view of the cluster is kept in its dir, so a restarted node rejoins with its slots.
   */
  static RedisServer startClusterNode(Path dir, int port, String appendfsync) {
    RedisServer r = new RedisServer(dir, port, appendfsync, List.of("--cluster-enabled", "yes",
        "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"));
    r.start();
    return r;
  }

  /** The binary: REDIS_SERVER if set, else the first redis-server on the PATH. */
  public static String binary() {
    String given = System.getenv("REDIS_SERVER");
    if (given != null && !given.isBlank()) {
      return given;
    }
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(d, "redis-server"))) {
        return Path.of(d, "redis-server").toString();
      }
    }
    throw new IllegalStateException("no redis-server on the PATH (Debian: apt-get install redis-server), or set REDIS_SERVER");
  }

  /** Starts the server (again), loading its AOF, and waits until it answers PING. */
  public synchronized void start() {
    if (process != null && process.isAlive()) {
      return;
    }
    try {
      Files.createDirectories(dir);
      List<String> cmd = new java.util.ArrayList<>(List.of(binary(), "--bind", "127.0.0.1", "--port", Integer.toString(port),
          "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", appendfsync, "--save", "",
          "--protected-mode", "no", "--logfile", dir.resolve("redis.log").toString()));
      cmd.addAll(extraArgs);
      process = new ProcessBuilder(cmd)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.out").toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server", e);
    }
    awaitPing(Duration.ofSeconds(60));
  }

  private void awaitPing(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited with " + process.exitValue() + "; see " + dir.resolve("redis.log"));
      }
      if (answersPing()) {
        return;
      }
      Pause.millis(50);
    }
    throw new IllegalStateException("redis-server on port " + port + " did not answer PING in " + timeout);
  }

  /** True if the server answers PING with PONG (not while it is loading its AOF). */
  public boolean answersPing() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      s.setSoTimeout(500);
      s.getOutputStream().write("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] buf = new byte[7];
      int n = s.getInputStream().read(buf);
      return n >= 5 && new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  /** SIGKILL: what was written to the AOF survives, the rest is what {@code appendfsync} allows a crash to lose. */
  public synchronized void kill9() {
    process.destroyForcibly();
    waitGone();
  }

  /** An outage: SIGTERM (the server flushes its AOF and exits). {@link #start} ends it. */
  public synchronized void stop() {
    if (process != null && process.isAlive()) {
      Command.run(List.of("kill", "-CONT", Long.toString(process.pid())));
      process.destroy();
      waitGone();
    }
  }

  /** SIGSTOP (true) or SIGCONT (false): a server that holds its connections open and answers nothing. */
  public synchronized void freeze(boolean frozen) {
    Command.run(List.of("kill", frozen ? "-STOP" : "-CONT", Long.toString(process.pid())));
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  private void waitGone() {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("redis-server " + process.pid() + " did not exit");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }


  @Override
  public synchronized void close() {
    stop();
  }
}
