package dev.batchinfer.api.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.batchinfer.api.problem.ApiException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The body's deadline and minimum rate, on a clock the test moves (no waiting). */
class UploadGuardTest {

  private static final UploadGuard.Limits LIMITS = new UploadGuard.Limits(Duration.ofMinutes(10), 1_000,
      Duration.ofSeconds(30));
  private static final long SECOND = 1_000_000_000L;

  private long now = 5 * SECOND;

  /** A body of {@code size} bytes that takes {@code perRead} of the clock for each read of up to {@code chunk} bytes. */
  private InputStream body(int size, int chunk, long perRead) {
    InputStream slow = new ByteArrayInputStream(new byte[size]) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        now += perRead;
        return super.read(b, off, Math.min(len, chunk));
      }
    };
    return new UploadGuard(slow, LIMITS, () -> now);
  }

  private static ApiException failure(InputStream in) {
    return catchThrowableOfType(ApiException.class, () -> in.transferTo(java.io.OutputStream.nullOutputStream()));
  }

  @Test
  void a_body_arriving_steadily_above_the_minimum_rate_is_read_whole() throws IOException {
    // 2,000 bytes a second for 5 minutes.
    assertThat(body(600_000, 2_000, SECOND).readAllBytes()).hasSize(600_000);
  }

  @Test
  void a_body_below_the_minimum_rate_over_a_window_is_408() {
    ApiException e = failure(body(100_000, 500, SECOND)); // 500 bytes a second
    assertThat(e).isNotNull();
    assertThat(e.status()).isEqualTo(408);
    assertThat(e.getMessage()).contains("bytes/s or more").doesNotContain("UPLOAD_");
    assertThat(now).isLessThanOrEqualTo(5 * SECOND + 31 * SECOND); // found at the end of the first window
  }

  @Test
  void a_pause_is_fine_when_the_window_as_a_whole_keeps_the_rate() throws IOException {
    // 20 s of silence, 60 kB at once, 20 s more, then the end: 1,500 bytes a second over 40 s.
    InputStream paused = new InputStream() {
      private int step;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        now += 20 * SECOND;
        return step++ == 0 ? Math.min(len, 60_000) : -1;
      }
    };
    InputStream in = new UploadGuard(paused, LIMITS, () -> now);
    assertThat(in.read(new byte[60_000], 0, 60_000)).isEqualTo(60_000);
    assertThat(in.read(new byte[10], 0, 10)).isEqualTo(-1);
    assertThat(now).isEqualTo(45 * SECOND);
  }

  @Test
  void a_body_still_arriving_at_the_deadline_is_408_whatever_its_rate() {
    UploadGuard.Limits noMinimum = new UploadGuard.Limits(Duration.ofMinutes(10), 0, Duration.ofSeconds(30));
    InputStream slow = new ByteArrayInputStream(new byte[1_000_000]) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        now += SECOND;
        return super.read(b, off, Math.min(len, 100));
      }
    };
    ApiException e = failure(new UploadGuard(slow, noMinimum, () -> now));
    assertThat(e).isNotNull();
    assertThat(e.status()).isEqualTo(408);
    assertThat(e.getMessage()).contains("s to arrive").doesNotContain("UPLOAD_");
    assertThat(now).isBetween(5 * SECOND + 600 * SECOND, 5 * SECOND + 602 * SECOND);
  }
}
