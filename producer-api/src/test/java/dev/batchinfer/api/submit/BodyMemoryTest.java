package dev.batchinfer.api.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.batchinfer.api.problem.ApiException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Room in the heap for bodies read whole: taken before reading, given back once, waited for in turn. */
class BodyMemoryTest {

  private static final long MIB = 1024 * 1024;

  @Test
  void a_body_takes_room_for_its_content_length_before_a_byte_is_read() {
    BodyMemory memory = new BodyMemory(MIB, Duration.ofMillis(50));
    try (BodyMemory.Hold hold = memory.hold(600_000, 10 * MIB)) {
      assertThat(memory.freeBytes()).isEqualTo(MIB - 586 * 1024); // 600,000 bytes, rounded up to KiB
    }
    assertThat(memory.freeBytes()).isEqualTo(MIB);
  }

  @Test
  void a_body_that_finds_no_room_within_the_wait_is_503_saying_what_to_send_and_holds_nothing() {
    BodyMemory memory = new BodyMemory(MIB, Duration.ofMillis(50));
    try (BodyMemory.Hold first = memory.hold(800_000, 10 * MIB)) {
      long free = memory.freeBytes();
      ApiException e = catchThrowableOfType(ApiException.class, () -> memory.hold(400_000, 10 * MIB));
      assertThat(e).isNotNull();
      assertThat(e.status()).isEqualTo(503);
      assertThat(e.getMessage()).contains("request bodies in memory").contains("NDJSON")
          .doesNotContain("BODY_MEMORY_MB");
      assertThat(e.retryAfter()).isPositive();
      assertThat(memory.freeBytes()).isEqualTo(free);
    }
  }

  @Test
  void room_given_back_lets_a_waiting_body_in() throws Exception {
    BodyMemory memory = new BodyMemory(MIB, Duration.ofSeconds(30));
    BodyMemory.Hold first = memory.hold(800_000, 10 * MIB);
    // 800,000 + 400,000 bytes do not fit in 1 MiB: it waits until the first gives its room back.
    CompletableFuture<BodyMemory.Hold> second = CompletableFuture.supplyAsync(() -> memory.hold(400_000, 10 * MIB));
    first.close();
    try (BodyMemory.Hold held = second.get(30, TimeUnit.SECONDS)) {
      assertThat(memory.freeBytes()).isEqualTo(MIB - 391 * 1024);
    }
    assertThat(memory.freeBytes()).isEqualTo(MIB);
  }

  @Test
  void a_body_larger_than_the_whole_budget_takes_all_of_it_and_runs_alone() {
    BodyMemory memory = new BodyMemory(MIB, Duration.ofMillis(50));
    try (BodyMemory.Hold hold = memory.hold(5 * MIB, 10 * MIB)) {
      assertThat(memory.freeBytes()).isZero();
      assertThat(catchThrowableOfType(ApiException.class, () -> memory.hold(1, 10 * MIB))).isNotNull();
    }
    assertThat(memory.freeBytes()).isEqualTo(MIB);
  }

  @Test
  void a_body_of_unknown_length_holds_the_largest_allowed_until_it_ends_then_only_its_size() throws Exception {
    BodyMemory memory = new BodyMemory(8 * MIB, Duration.ofMillis(50));
    try (BodyMemory.Hold hold = memory.hold(-1, 5 * MIB)) {
      assertThat(memory.freeBytes()).isEqualTo(3 * MIB); // MAX_REQUEST_MB's worth, before a byte is read
      InputStream body = new LimitedInputStream(new ByteArrayInputStream(new byte[(int) (2 * MIB)]), 5 * MIB,
          hold::shrinkTo);
      body.read(new byte[8192]);
      assertThat(memory.freeBytes()).isEqualTo(3 * MIB);
      body.transferTo(OutputStream.nullOutputStream());
      assertThat(memory.freeBytes()).isEqualTo(6 * MIB); // read to its end: it holds its 2 MiB only
    }
    assertThat(memory.freeBytes()).isEqualTo(8 * MIB);
  }

  @Test
  void bodies_of_unknown_length_never_wait_for_each_other_holding_part_of_the_room() {
    BodyMemory memory = new BodyMemory(8 * MIB, Duration.ofMillis(50));
    try (BodyMemory.Hold first = memory.hold(-1, 5 * MIB)) {
      // A second one cannot take its 5 MiB while the first holds 5 of 8: it waits before reading
      // anything, and the first, holding all it may need, always finishes.
      assertThat(catchThrowableOfType(ApiException.class, () -> memory.hold(-1, 5 * MIB))).isNotNull();
      assertThat(memory.freeBytes()).isEqualTo(3 * MIB);
    }
  }

  @Test
  void room_is_given_back_once_however_often_a_hold_is_closed() {
    BodyMemory memory = new BodyMemory(MIB, Duration.ofMillis(50));
    BodyMemory.Hold hold = memory.hold(500_000, 10 * MIB);
    hold.close();
    hold.close();
    assertThat(memory.freeBytes()).isEqualTo(MIB);
  }

  @Test
  void a_streamed_body_takes_no_room_and_gives_none_back() {
    BodyMemory memory = new BodyMemory(MIB, Duration.ofMillis(50));
    try (BodyMemory.Hold held = memory.hold(500_000, 10 * MIB)) {
      long free = memory.freeBytes();
      BodyMemory.Hold.NOTHING.shrinkTo(0);
      BodyMemory.Hold.NOTHING.close();
      assertThat(memory.freeBytes()).isEqualTo(free);
    }
  }
}
