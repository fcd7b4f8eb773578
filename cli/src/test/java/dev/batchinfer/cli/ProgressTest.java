package dev.batchinfer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {

  private final AtomicLong now = new AtomicLong();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  private Progress progress(Progress.Mode mode) {
    return new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), mode, 5_000_000_000L, now::get, "items");
  }

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void the_bar_is_redrawn_in_place_with_done_total_rate_and_eta() {
    Progress p = progress(Progress.Mode.BAR);
    p.update(0, 1_000, "queued");
    now.addAndGet(1_000_000_000L);
    p.update(100, 1_000, "processing");
    now.addAndGet(1_000_000_000L);
    p.update(500, 1_000, "processing");
    String frames = printed();
    assertThat(frames.split("\r")).hasSize(4); // three frames, each from the line's start
    // the rate is smoothed: (100/s + 400/s) / 2
    assertThat(frames).endsWith("\r[###############---------------]  50% 500/1,000 items | 250/s | ETA 0:02 | processing");
    now.addAndGet(1_000_000_000L);
    p.update(1_000, 1_000, "completed");
    p.finish();
    // padded over the longer frame before it, then the line ends
    assertThat(printed()).matches("(?s).*\r\\[#{30}\\] 100% 1,000/1,000 items \\| 375/s \\| completed +\n");
  }

  @Test
  void frames_closer_than_a_tenth_of_a_second_are_skipped_unless_the_status_changes() {
    Progress p = progress(Progress.Mode.BAR);
    p.update(1, 10, "processing");
    now.addAndGet(10_000_000L);
    p.update(2, 10, "processing");
    now.addAndGet(10_000_000L);
    p.update(3, 10, "cancelling");
    assertThat(printed().split("\r")).hasSize(3);
  }

  @Test
  void plain_lines_come_at_the_interval_and_on_every_change_of_status() {
    Progress p = progress(Progress.Mode.PLAIN);
    p.update(0, 100, "queued");
    now.addAndGet(1_000_000_000L);
    p.update(10, 100, "queued"); // too soon, same status
    p.update(20, 100, "processing"); // a new status
    now.addAndGet(5_000_000_000L);
    p.update(90, 100, "processing"); // the interval passed
    p.finish();
    String[] lines = printed().split("\n");
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ   0% 0/100 items \\| 0/s \\| queued");
    assertThat(lines[1]).contains(" 20% 20/100 items").endsWith("processing");
    assertThat(lines[2]).contains(" 90% 90/100 items").contains("ETA").doesNotContain("\r");
  }

  @Test
  void bytes_are_shown_in_kib_and_mib_and_an_unknown_total_has_no_percentage() {
    Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), Progress.Mode.PLAIN, 0, now::get,
        "bytes");
    p.update(3 * 1024 * 1024, -1, "downloading");
    assertThat(printed()).contains("Z 3.0 MiB | 0.0 KiB/s | downloading");
  }
}
