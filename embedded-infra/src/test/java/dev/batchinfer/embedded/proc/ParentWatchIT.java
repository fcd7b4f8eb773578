package dev.batchinfer.embedded.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A child JVM whose parent is killed with kill -9 exits by itself. */
class ParentWatchIT {

  /** Stands in for a service: runs until stopped. */
  public static final class Sleeper {
    public static void main(String[] args) throws InterruptedException {
      Thread.sleep(Duration.ofMinutes(5).toMillis());
    }
  }

  @Test
  void a_child_ends_when_the_process_that_started_it_is_gone() throws Exception {
    // The "parent" is a process of our own, so the test can kill it; the child is told its pid.
    Process parent = new ProcessBuilder("sleep", "120").start();
    try (ChildJvm child = ChildJvm.start("orphan", Sleeper.class.getName(), "32m",
        Map.of(ParentWatch.PARENT_PID, Long.toString(parent.pid())), Files.createTempDirectory("parent-watch"))) {
      assertThat(child.isAlive()).isTrue();
      parent.destroyForcibly(); // SIGKILL
      parent.waitFor();
      assertThat(child.awaitExit(Duration.ofSeconds(30))).as("the orphan's exit code").isEqualTo(143);
    } finally {
      parent.destroyForcibly();
    }
  }
}
