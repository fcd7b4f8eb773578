package dev.batchinfer.bench.run;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One batch through the whole system: the clock starts before the first byte is sent and stops
 * when the status says completed (polled every 50 ms). Fails if any item failed.
 */
public final class Pipeline {

  private Pipeline() {}

  /** What one batch took. */
  public record Run(String label, long items, long bodyBytes, double submitSeconds, double totalSeconds,
      double workerSeconds, String batchId,
      Map<String, ?> cpuSeconds, Map<String, ?> threadSeconds, Map<String, ?> submitCpuSeconds) {

    public double itemsPerSecond() {
      return items / totalSeconds;
    }

    /** The workers' own rate: items over the time from the first finished chunk to the last. */
    public double workerItemsPerSecond() {
      return items / workerSeconds;
    }

    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("label", label);
      m.put("items", items);
      m.put("body_bytes", bodyBytes);
      m.put("submit_seconds", round(submitSeconds));
      m.put("total_seconds", round(totalSeconds));
      m.put("items_per_second", Math.round(itemsPerSecond()));
      m.put("worker_seconds_first_to_last_chunk", round(workerSeconds));
      m.put("worker_items_per_second", Math.round(workerItemsPerSecond()));
      if (cpuSeconds != null) {
        m.put("cpu_seconds", cpuSeconds);
        m.put("cpu_seconds_until_accepted", submitCpuSeconds);
        m.put("cpu_seconds_by_thread", threadSeconds);
      }
      return m;
    }
  }

  public static Run run(ApiClient api, String label, Bodies.Body body, long items, String version,
      Runnable whileWaiting) {
    return run(api, label, body, items, version, whileWaiting, new CpuMeter());
  }

  /** With the CPU time of the processes {@code cpu} watches: until the 202, and in all. */
  public static Run run(ApiClient api, String label, Bodies.Body body, long items, String version,
      Runnable whileWaiting, CpuMeter cpu) {
    cpu.begin();
    long start = System.nanoTime();
    ApiClient.Answer accepted = api.submit(body, version);
    long submitted = System.nanoTime();
    Map<String, Double> untilAccepted = cpu.seconds();
    if (accepted.status() != 202) {
      throw new IllegalStateException(label + ": submit answered " + accepted.status() + ": " + accepted.body());
    }
    String id = accepted.text("batch_id");
    ApiClient.Answer s = awaitFinal(api, id, whileWaiting, 50);
    long done = System.nanoTime();
    String status = s.text("status");
    long completed = s.body().path("progress").path("completed").asLong();
    if (!"completed".equals(status) || completed != items) {
      throw new IllegalStateException(label + ": batch ended " + status + " with " + completed + " of " + items
          + " items completed: " + s.body());
    }
    double workerSeconds = java.time.Duration.between(java.time.Instant.parse(s.text("started_at")),
        java.time.Instant.parse(s.text("completed_at"))).toMillis() / 1000.0;
    return new Run(label, items, body.bytes().length, (submitted - start) / 1e9, (done - start) / 1e9,
        Math.max(0.001, workerSeconds), id, cpu.seconds(),
        cpu.threadSeconds(6), untilAccepted);
  }

  /** The longest a bench batch may run: past it the run fails rather than poll forever. */
  static final java.time.Duration MAX_BATCH_TIME = java.time.Duration.ofMinutes(30);

  /**
   * Polls the batch's status every {@code everyMillis} until it is final (any final status, with errors or
   * not); returns that status answer.
   *
   * @throws IllegalStateException if it is not final within {@link #MAX_BATCH_TIME}
   */
  public static ApiClient.Answer awaitFinal(ApiClient api, String batchId, Runnable whileWaiting, long everyMillis) {
    return awaitFinal(api, batchId, whileWaiting, everyMillis, MAX_BATCH_TIME);
  }

  /** As {@link #awaitFinal(ApiClient, String, Runnable, long)}, failing after {@code maxTime}. */
  static ApiClient.Answer awaitFinal(ApiClient api, String batchId, Runnable whileWaiting, long everyMillis,
      java.time.Duration maxTime) {
    long deadline = System.nanoTime() + maxTime.toNanos();
    while (true) {
      ApiClient.Answer s = api.status(batchId);
      String status = s.text("status");
      if (status != null && isFinal(status)) {
        return s;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("batch " + batchId + " not final after " + maxTime + ": " + s.body());
      }
      whileWaiting.run();
      sleep(everyMillis);
    }
  }

  private static boolean isFinal(String wire) {
    try {
      return dev.batchinfer.topics.message.BatchStatus.fromWire(wire).isFinal();
    } catch (IllegalArgumentException unknown) {
      return false;
    }
  }

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  public static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
