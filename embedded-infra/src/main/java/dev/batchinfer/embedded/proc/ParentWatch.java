package dev.batchinfer.embedded.proc;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Arrays;

/**
 * Runs a child JVM's real main class, and ends the child when the JVM that started it is gone: a test JVM killed
 * (kill -9, a CI timeout) must not leave a cluster of brokers and services behind it on the machine. The parent's
 * pid comes in {@link #PARENT_PID}; it is checked every second.
 */
public final class ParentWatch {

  public static final String PARENT_PID = "CHAOS_PARENT_PID";

  private ParentWatch() {}

  public static void main(String[] args) throws Exception {
    String parent = System.getenv(PARENT_PID);
    if (parent != null) {
      long pid = Long.parseLong(parent);
      Thread watch = new Thread(() -> {
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          try {
            Thread.sleep(Duration.ofSeconds(1).toMillis());
          } catch (InterruptedException e) {
            return;
          }
        }
        System.err.println("parent " + pid + " is gone; exiting");
        // A clean stop if it comes quickly (shutdown hooks run), else no waiting on it.
        Thread halt = new Thread(() -> {
          try {
            Thread.sleep(10_000);
          } catch (InterruptedException ignored) {
            // exiting anyway
          }
          Runtime.getRuntime().halt(137);
        });
        halt.setDaemon(true);
        halt.start();
        System.exit(143);
      }, "parent-watch");
      watch.setDaemon(true);
      watch.start();
    }
    Method main = Class.forName(args[0]).getMethod("main", String[].class);
    main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
  }
}
