package dev.batchinfer.chaos;

import dev.batchinfer.embedded.load.SyntheticImages;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Submits batches as a careful client does: each with its own Idempotency-Key, sent again with the same key (to
 * any API instance) when no answer came, a 5xx came, or a 503/429 asked to come back later; never a second batch
 * for one piece of work. Remembers every batch it got a 202 for, and every answer it should not have had.
 */
public final class Load {

  /** A batch the system accepted: what the checker verifies. */
  public record Accepted(String batchId, String idempotencyKey, String apiKey, int items, long seed, String model) {}

  /** What the load submits to unless told otherwise. */
  public static final String DEFAULT_MODEL = "fashion-mnist";

  private final ChaosCluster cluster;
  private final String callbackUrl;
  private final String model;
  private final List<Accepted> accepted = new CopyOnWriteArrayList<>();
  private final Map<Integer, AtomicLong> answers = new ConcurrentHashMap<>();
  private final AtomicLong unanswered = new AtomicLong();
  private final List<String> unexpected = new CopyOnWriteArrayList<>();

  /** @param callbackUrl where every batch of this load sends its webhooks */
  public Load(ChaosCluster cluster, String callbackUrl) {
    this(cluster, callbackUrl, DEFAULT_MODEL);
  }

  /** @param model the model every batch of this load asks for (it takes Fashion-MNIST-shaped images) */
  public Load(ChaosCluster cluster, String callbackUrl, String model) {
    this.cluster = cluster;
    this.callbackUrl = callbackUrl;
    this.model = model;
  }

  /**
   * Submits one batch of {@code items} images until it is accepted or {@code patience} runs out.
   *
   * @return the accepted batch, or null if it never was within {@code patience}
   */
  public Accepted submit(String apiKey, int items, long seed, Duration patience) {
    byte[] body = body(items, seed);
    String key = UUID.randomUUID().toString();
    long deadline = System.nanoTime() + patience.toNanos();
    int attempt = 0;
    while (System.nanoTime() < deadline) {
      // Round robin over the instances, as a load balancer would; a dead one is an unanswered attempt.
      Api.Answer a = send(apiKey, items, seed, attempt++, body, key);
      if (a.status() == 202 || a.status() == 200) {
        return last(a.text("batch_id"));
      }
      Await.pause(Duration.ofMillis(a.retryAfter().map(s -> Math.min(5_000L, Long.parseLong(s) * 1000)).orElse(500L)));
    }
    return null;
  }

  /**
   * One try, no retry and no pause: a flood's client, for which a 429 is the answer.
   *
   * @param body {@link #body}{@code (items, seed)}, made once and sent as often as wanted
   */
  public Accepted offer(String apiKey, int items, long seed, byte[] body) {
    Api.Answer a = send(apiKey, items, seed, 0, body, UUID.randomUUID().toString());
    return a.status() == 202 || a.status() == 200 ? last(a.text("batch_id")) : null;
  }

  private Api.Answer send(String apiKey, int items, long seed, int attempt, byte[] body, String key) {
    Api api = cluster.api(Math.floorMod((int) seed + attempt, cluster.apis().size()), apiKey);
    Api.Answer a = api.submit(body, key);
    answers.computeIfAbsent(a.status(), s -> new AtomicLong()).incrementAndGet();
    if (a.status() == 202 || a.status() == 200) {
      Accepted acc = new Accepted(a.text("batch_id"), key, apiKey, items, seed, model);
      if (accepted.stream().noneMatch(b -> b.batchId().equals(acc.batchId()))) {
        accepted.add(acc);
      }
    } else if (a.status() == 0) {
      unanswered.incrementAndGet();
    } else if (a.status() != 503 && a.status() != 429 && a.status() != 409) {
      // 409 with Retry-After: the key is held by a request still running, or by one whose API died while what
      // became of its batch is settled. Anything else is a defect.
      unexpected.add(a.status() + " " + (a.body() == null ? "" : a.body().toString()));
    } else if (a.retryAfter().isEmpty()) {
      unexpected.add(a.status() + " without Retry-After");
    }
    return a;
  }

  private Accepted last(String batchId) {
    return accepted.stream().filter(b -> b.batchId().equals(batchId)).findFirst().orElseThrow();
  }

  /** A JSON batch of {@code items} Fashion-MNIST-shaped images, each from the seed and its index. */
  public byte[] body(int items, long seed) {
    StringBuilder sb = new StringBuilder(items * 1080 + 200).append("{\"model\":\"").append(model).append("\",\"callback_url\":\"")
        .append(callbackUrl).append("\",\"inputs\":[");
    for (int i = 0; i < items; i++) {
      sb.append(i == 0 ? "" : ",").append(item(seed, i));
    }
    return sb.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Item {@code index} of the batch made from {@code seed}: {"pixels": "<base64 of 784 bytes>"}. */
  public static String item(long seed, int index) {
    byte[] px = SyntheticImages.image(new SplittableRandom(seed * 1_000_003L + index), 60);
    return "{\"pixels\":\"" + Base64.getEncoder().encodeToString(px) + "\"}";
  }

  public List<Accepted> accepted() {
    return List.copyOf(accepted);
  }

  /** Answers other than 202 and the documented 503/429/409 with Retry-After: each one is a defect. */
  public List<String> unexpected() {
    return List.copyOf(unexpected);
  }

  /** Requests that got no HTTP answer (the instance was killed or stopped): the client sent them again. */
  public long unanswered() {
    return unanswered.get();
  }

  public Map<Integer, Long> answersByStatus() {
    Map<Integer, Long> m = new java.util.TreeMap<>();
    answers.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }
}
