package dev.batchinfer.embedded.proc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One service of the cluster and how to start it, so a fault can kill its process and a restart bring it back
 * with the same name, settings and log file (the log appends: one file tells the service's whole story).
 */
public final class Service {

  private final String name;
  private final String mainClass;
  private final String heap;
  private final List<String> jvmFlags;
  private Map<String, String> env;
  private final Path dir;
  private final CpuSet cpus;
  private ChildJvm jvm;
  private int starts;

  public Service(String name, String mainClass, String heap, List<String> jvmFlags, Map<String, String> env, Path dir) {
    this(name, mainClass, heap, jvmFlags, env, dir, null);
  }

  /** @param cpus the CPUs it runs on (taskset), or null for those of this process */
  public Service(String name, String mainClass, String heap, List<String> jvmFlags, Map<String, String> env, Path dir,
      CpuSet cpus) {
    this.name = name;
    this.mainClass = mainClass;
    this.heap = heap;
    this.jvmFlags = List.copyOf(jvmFlags);
    this.env = Map.copyOf(env);
    this.dir = dir;
    this.cpus = cpus;
  }

  /** Starts the process unless it runs. */
  public synchronized Service start() {
    if (jvm == null || !jvm.isAlive()) {
      jvm = ChildJvm.start(name, mainClass, heap, jvmFlags, env, dir, 0, cpus);
      starts++;
    }
    return this;
  }

  public String name() {
    return name;
  }

  public synchronized ChildJvm jvm() {
    return jvm;
  }

  public synchronized boolean isRunning() {
    return jvm != null && jvm.isAlive();
  }

  /** How many times its process was started. */
  public synchronized int starts() {
    return starts;
  }

  public Map<String, String> env() {
    return env;
  }

  /** Stops the process (SIGTERM), changes its settings and starts it again: a rolling change of configuration. */
  public synchronized void restartWith(Map<String, String> changes) {
    if (isRunning()) {
      jvm.terminate(Duration.ofSeconds(90));
    }
    Map<String, String> next = new java.util.HashMap<>(env);
    next.putAll(changes);
    env = Map.copyOf(next);
    start();
  }

  /** kill -9. */
  public synchronized void kill9() {
    jvm.kill9();
  }

  /** kill -TERM, waiting for a clean exit; returns the exit code. */
  public synchronized int terminate(Duration timeout) {
    return jvm.terminate(timeout);
  }

  /** kill -STOP / kill -CONT. */
  public synchronized void freeze(boolean frozen) {
    jvm.freeze(frozen);
  }

  public synchronized void close() {
    if (jvm != null) {
      jvm.close();
    }
  }
}
