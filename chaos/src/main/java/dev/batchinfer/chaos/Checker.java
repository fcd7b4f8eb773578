package dev.batchinfer.chaos;

import dev.batchinfer.store.RedisKeys;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.client.Batch;
import dev.batchinfer.client.BatchApiException;
import dev.batchinfer.client.BatchClient;
import dev.batchinfer.client.Prediction;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads everything back once the faults are healed and verifies each accepted batch: every item has exactly one
 * result (none missing, none twice, none of another batch's inputs), the progress equals the item count exactly,
 * the final status is right, exactly one completion webhook was acknowledged (by {@code webhook-id}, every
 * signature valid); and across the system, no ghost: no batch record that no client was answered 202 for and
 * that never finished.
 */
public final class Checker {

  private static final Pattern BATCH_KEY = Pattern.compile(Pattern.quote(ChaosCluster.KEY_PREFIX) + "batch:\\{([^}]+)\\}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FINAL = Set.of("completed", "completed_with_errors", "failed", "cancelled", "expired");

  private final ChaosCluster cluster;
  private final WebhookReceiver receiver;
  /** Every batch any client was answered 202 for, over all the checks of this cluster: those are not ghosts. */
  private final Set<String> everAccepted = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public Checker(ChaosCluster cluster, WebhookReceiver receiver) {
    this.cluster = cluster;
    this.receiver = receiver;
  }

  /** Waits until every batch is final (or {@code drain} passes), then counts. */
  public Figures check(String scenario, Load load, Duration drain) {
    List<Load.Accepted> batches = load.accepted();
    Map<String, BatchClient> clients = new java.util.concurrent.ConcurrentHashMap<>();
    BatchClient reader = clients.computeIfAbsent(ChaosCluster.KEY_A, k -> cluster.api(0, k).client());
    try {
      Await.until(drain, "every accepted batch of " + scenario + " final", () -> batches.stream()
          .allMatch(b -> isFinal(clients.computeIfAbsent(b.apiKey(), k -> cluster.api(0, k).client()), b.batchId())));
      // The webhook follows the final state: wait for its acknowledgement too.
      Await.until(drain, "a completion webhook acknowledged for every batch of " + scenario, () -> batches.stream()
          .allMatch(b -> receiver.attempts().stream().anyMatch(a -> b.batchId().equals(a.batchId()) && acknowledged(a))));
    } catch (IllegalStateException notAllFinal) {
      // counted below: a batch that never ends is lost work, a webhook never acknowledged a lost event
    }
    List<String> problems = new ArrayList<>();
    long submitted = 0;
    long withOne = 0;
    long lost = 0;
    long duplicated = 0;
    long foreign = 0;
    int wrongCounts = 0;
    int wrongStatus = 0;
    for (Load.Accepted b : batches) {
      submitted += b.items();
      BatchClient client = clients.computeIfAbsent(b.apiKey(), k -> cluster.api(0, k).client());
      Batch status;
      List<JsonNode> results;
      try {
        status = client.status(b.batchId());
        try (java.util.stream.Stream<JsonNode> read = client.results(b.batchId())) {
          results = read.toList();
        }
      } catch (BatchApiException | java.io.UncheckedIOException e) {
        problems.add(b.batchId() + " unreadable: " + e.getMessage());
        wrongStatus++;
        lost += b.items();
        continue;
      }
      if (!"completed".equals(status.status())) {
        wrongStatus++;
        problems.add(b.batchId() + " is " + status.status());
      }
      if (status.total() != b.items() || status.completed() + status.failed() != b.items()) {
        wrongCounts++;
        problems.add(b.batchId() + " progress " + status.raw().path("progress") + " for " + b.items() + " items");
      }
      int[] seen = new int[b.items()];
      for (JsonNode r : results) {
        int i = r.path("index").asInt(-1);
        if (i < 0 || i >= b.items()) {
          foreign++;
        } else {
          seen[i]++;
        }
      }
      for (int count : seen) {
        if (count == 0) {
          lost++;
        } else {
          withOne += count == 1 ? 1 : 0;
          duplicated += count - 1;
        }
      }
      foreign += foreignResults(reader, b, results);
    }
    int acknowledged = 0;
    Set<String> batchIds = new HashSet<>();
    batches.forEach(b -> batchIds.add(b.batchId()));
    Map<String, Set<String>> completionIds = new java.util.HashMap<>();
    int badSignatures = 0;
    for (WebhookReceiver.Attempt a : receiver.attempts()) {
      if (!a.signatureValid()) {
        badSignatures++;
      } else if (batchIds.contains(a.batchId()) && acknowledged(a)) {
        completionIds.computeIfAbsent(a.batchId(), k -> new HashSet<>()).add(a.webhookId());
      }
    }
    for (Load.Accepted b : batches) {
      int ids = completionIds.getOrDefault(b.batchId(), Set.of()).size();
      if (ids == 1) {
        acknowledged++;
      } else {
        problems.add(b.batchId() + " has " + ids + " acknowledged completion webhooks");
      }
    }
    everAccepted.addAll(batchIds);
    // A submit cut short leaves a pending record until the ghost sweeper's verdict (the API's transaction
    // timeout and a margin): a ghost is one still there after that.
    int[] ghosts = new int[1];
    List<String> ghostProblems = new ArrayList<>();
    try {
      Await.until(drain, "no ghost batch", () -> {
        ghostProblems.clear();
        ghosts[0] = ghosts(everAccepted, ghostProblems);
        return ghosts[0] == 0;
      });
    } catch (IllegalStateException stillThere) {
      problems.addAll(ghostProblems);
    }
    return new Figures(scenario, batches.size(), submitted, withOne, lost, duplicated, foreign, wrongCounts, wrongStatus,
        acknowledged, badSignatures, ghosts[0], load.unexpected(), problems);
  }

  /** A completion webhook (not a milestone) that the receiver answered with a 2xx. */
  private static boolean acknowledged(WebhookReceiver.Attempt a) {
    return a.type() != null && a.type().startsWith("batch.") && a.answered() >= 200 && a.answered() < 300;
  }

  /**
   * Results that are not of this batch's inputs: a few items per batch are run again through the sync predict
   * route and must give the same label (a result that came from another batch's input would not, 9 times in 10).
   */
  private static long foreignResults(BatchClient reader, Load.Accepted b, List<JsonNode> results) {
    Map<Integer, JsonNode> byIndex = new java.util.HashMap<>();
    results.forEach(r -> byIndex.put(r.path("index").asInt(-1), r));
    int[] sample = {0, b.items() / 3, b.items() / 2, b.items() - 1};
    List<JsonNode> inputs = new ArrayList<>();
    for (int s : sample) {
      try {
        inputs.add(JSON.readTree(Load.item(b.seed(), s)));
      } catch (IOException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
    Prediction sync = reader.models().predict(b.model(), inputs);
    long foreign = 0;
    for (int k = 0; k < sample.length; k++) {
      JsonNode stored = byIndex.get(sample[k]);
      String expected = sync.results().get(k).path("label").asText();
      if (stored != null && !expected.equals(stored.path("result").path("label").asText())) {
        foreign++;
      }
    }
    return foreign;
  }

  /** Final; an unreadable status (an API still down) counts as not yet. */
  private static boolean isFinal(BatchClient client, String batchId) {
    try {
      return client.status(batchId).isFinal();
    } catch (BatchApiException | java.io.UncheckedIOException e) {
      return false;
    }
  }

  /**
   * Batch records in Redis that no client got a 202 for and that are not final: work that holds quota and queue
   * position for nothing. A final record no client was answered for is not one: the checker's own sync predicts
   * are batches too.
   */
  private int ghosts(Set<String> accepted, List<String> problems) {
    int ghosts = 0;
    // The system's own client: on a Redis Cluster its SCAN walks every master in turn.
    try (dev.batchinfer.store.Redis redis = dev.batchinfer.store.Redis.connect(cluster.redisUrl(), ChaosCluster.KEY_PREFIX, "checker")) {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page = redis.sync().scan(cursor, ScanArgs.Builder.matches(redis.keys().batch("*")).limit(1000));
        for (String key : page.getKeys()) {
          Matcher m = BATCH_KEY.matcher(key);
          if (!m.matches() || accepted.contains(m.group(1))) {
            continue;
          }
          String status = redis.sync().hget(key, RedisKeys.BatchField.STATUS);
          if (!FINAL.contains(status)) {
            ghosts++;
            problems.add("ghost " + m.group(1) + " (" + status + ")");
          }
        }
        cursor = page;
      } while (!cursor.isFinished());
    }
    return ghosts;
  }
}
