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
    count(a);
    if (a.status() == 202 || a.status() == 200) {
      Accepted acc = new Accepted(a.text("batch_id"), key, apiKey, items, seed, model);
      if (accepted.stream().noneMatch(b -> b.batchId().equals(acc.batchId()))) {
        accepted.add(acc);
      }
    }
    return a;
  }

  /** Counts an answer; one outside 2xx and the documented 503/429/409 with Retry-After is a defect. */
  private void count(Api.Answer a) {
    answers.computeIfAbsent(a.status(), s -> new AtomicLong()).incrementAndGet();
    if (a.status() == 202 || a.status() == 200) {
      return;
    } else if (a.status() == 0) {
      unanswered.incrementAndGet();
    } else if (a.status() != 503 && a.status() != 429 && a.status() != 409) {
      // 409 with Retry-After: the key is held by a request still running, or by one whose API died while what
      // became of its batch is settled. Anything else is a defect.
      unexpected.add(a.status() + " " + (a.body() == null ? "" : a.body().toString()));
    } else if (a.retryAfter().isEmpty()) {
      unexpected.add(a.status() + " without Retry-After");
    }
  }

  /** Called before each append attempt: which part, and the index of the API it goes to. */
  public interface BeforeAppend {
    void sending(int part, int api);
  }

  /**
   * An open batch of {@code parts} appends of {@code partItems} images each, as a client with an export would send
   * it: each append retried over the APIs in turn under its own Idempotency-Key until answered 200, one after the
   * other, then a finalize. Item {@code i} of the batch is {@link #item}{@code (seed, i)}, as in a submitted batch.
   *
   * @return the batch, once finalized; null if a step was not answered within {@code patience}
   */
  public Accepted appendInParts(String apiKey, int parts, int partItems, long seed, Duration patience,
      BeforeAppend before) {
    String createKey = UUID.randomUUID().toString();
    byte[] create = ("{\"model\":\"" + model + "\",\"open\":true,\"callback_url\":\"" + callbackUrl + "\"}")
        .getBytes(StandardCharsets.US_ASCII);
    Api.Answer created = untilAnswered(patience, attempt -> cluster.api(attempt % cluster.apis().size(), apiKey)
        .submit(create, createKey), 202);
    if (created == null) {
      return null;
    }
    String batchId = created.text("batch_id");
    for (int part = 0; part < parts; part++) {
      StringBuilder sb = new StringBuilder(partItems * 1080).append("{\"inputs\":[");
      for (int i = 0; i < partItems; i++) {
        sb.append(i == 0 ? "" : ",").append(item(seed, part * partItems + i));
      }
      byte[] body = sb.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
      String key = UUID.randomUUID().toString();
      int p = part;
      Api.Answer appended = untilAnswered(patience, attempt -> {
        int api = Math.floorMod(p + attempt, cluster.apis().size());
        before.sending(p, api);
        return cluster.api(api, apiKey).append(batchId, body, key);
      }, 200);
      if (appended == null) {
        return null;
      }
      if (appended.body().path("first_index").asLong() != (long) part * partItems) {
        unexpected.add("append " + part + " of " + batchId + " landed at " + appended.body());
      }
    }
    if (untilAnswered(patience, attempt -> cluster.api(attempt % cluster.apis().size(), apiKey)
        .post("/v1/batch/" + batchId + "/finalize", "{}"), 200) == null) {
      return null;
    }
    Accepted acc = new Accepted(batchId, createKey, apiKey, parts * partItems, seed, model);
    accepted.add(acc);
    return acc;
  }

  /** Sends until the answer is {@code wanted}, pausing as a Retry-After asks; null after {@code patience}. */
  private Api.Answer untilAnswered(Duration patience, java.util.function.IntFunction<Api.Answer> send, int wanted) {
    long deadline = System.nanoTime() + patience.toNanos();
    for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
      Api.Answer a = send.apply(attempt);
      count(a);
      if (a.status() == wanted) {
        return a;
      }
      Await.pause(Duration.ofMillis(a.retryAfter().map(s -> Math.min(5_000L, Long.parseLong(s) * 1000)).orElse(500L)));
    }
    return null;
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
