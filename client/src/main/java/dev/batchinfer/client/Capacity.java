package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /v1/capacity}, and the {@code capacity} member of a 429: the work queued ahead per priority (every
 * tenant's), what each model version answered per second lately, the estimated wait for a new batch, and the
 * tenant's own quota. {@link #raw()} holds the document as sent.
 */
public record Capacity(String tenant, Instant at, Map<String, Queue> queues, List<Throughput> throughput,
    List<Estimate> estimates, Quota quota, JsonNode raw) {

  /** One priority's queue: unfinished batches, their items still to answer ({@code itemsExact} false: extrapolated). */
  public record Queue(long batches, long items, boolean itemsExact) {}

  /** A model version's measured rate over the last {@code windowSeconds}; {@code served}: a worker serves it now. */
  public record Throughput(String model, String version, double itemsPerSecond, long windowSeconds, boolean served) {}

  /**
   * The wait of a new batch of {@code items} at {@code priority} on the model's production version, behind
   * {@code batchesAhead} batches of {@code itemsAhead} items; {@code measured} false: the rate is the configured guess.
   */
  public record Estimate(String model, String version, String priority, long items, long batchesAhead,
      long itemsAhead, double itemsPerSecond, boolean measured, double waitSeconds, Instant completion) {}

  /** The queued-items cap and the two rate buckets (requests, items). */
  public record Quota(QueuedItems queuedItems, Bucket requests, Bucket items) {}

  public record QueuedItems(long used, long limit, long remaining) {}

  /** A token bucket: refilled at {@code ratePerSecond} up to {@code burst}; full again in {@code fullInSeconds}. */
  public record Bucket(double ratePerSecond, double burst, double available, double used, double fullInSeconds) {}

  /** The queue of a priority ({@code high}, {@code normal}, {@code low}), if the document has it. */
  public Optional<Queue> queue(String priority) {
    return Optional.ofNullable(queues.get(priority));
  }

  static Capacity of(JsonNode n) {
    Map<String, Queue> queues = new LinkedHashMap<>();
    n.path("queues").properties().forEach(e -> queues.put(e.getKey(),
        new Queue(e.getValue().path("batches").asLong(), e.getValue().path("items").asLong(),
            e.getValue().path("items_exact").asBoolean())));
    JsonNode q = n.path("quota");
    JsonNode queued = q.path("queued_items");
    return new Capacity(n.path("tenant").asText(null), Parse.instant(n.path("at")),
        Collections.unmodifiableMap(queues),
        Parse.list(n.path("throughput"), t -> new Throughput(t.path("model").asText(), t.path("version").asText(),
            t.path("items_per_second").asDouble(), t.path("window_seconds").asLong(), t.path("served").asBoolean())),
        Parse.list(n.path("estimates"), e -> new Estimate(e.path("model").asText(), e.path("version").asText(),
            e.path("priority").asText(), e.path("items").asLong(), e.path("batches_ahead").asLong(),
            e.path("items_ahead").asLong(), e.path("items_per_second").asDouble(), e.path("measured").asBoolean(),
            e.path("wait_seconds").asDouble(), Parse.instant(e.path("completion")))),
        new Quota(new QueuedItems(queued.path("used").asLong(), queued.path("limit").asLong(),
            queued.path("remaining").asLong()), bucket(q.path("requests")), bucket(q.path("items"))), n);
  }

  private static Bucket bucket(JsonNode b) {
    return new Bucket(b.path("rate_per_second").asDouble(), b.path("burst").asDouble(), b.path("available").asDouble(),
        b.path("used").asDouble(), b.path("full_in_seconds").asDouble());
  }
}
