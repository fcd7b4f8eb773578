package dev.batchinfer.chaos;

import dev.batchinfer.embedded.proc.Service;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The chaos scenarios with real process faults, on one cluster of separate OS processes (a KRaft broker,
 * redis-server with AOF, two APIs, three workers, two progress instances, two dispatchers). Each scenario submits
 * its own batches, makes its fault by pid (kill -9, SIGSTOP/SIGCONT, SIGTERM), heals, and runs the checker,
 * which prints the scenario's figures; a scenario passes only with nothing lost, nothing twice, no ghost and one
 * acknowledged completion webhook per batch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessFaultsIT {

  private static final Duration DRAIN = Duration.ofMinutes(4);
  private static final Duration PATIENCE = Duration.ofMinutes(2);

  private ChaosCluster cluster;
  private WebhookReceiver receiver;
  private Checker checker;
  private long seed = 1;
  private volatile String goneBatch = "";
  private Path gate;

  @BeforeAll
  void start() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "chaos-" + System.currentTimeMillis()));
    // The committed models, and the gated one (scenario 8) beside them.
    Path models = dir.resolve("models");
    Path committed = Path.of("..", "model-artifacts");
    try (var files = Files.walk(committed)) {
      for (Path p : files.toList()) {
        Path to = models.resolve(committed.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    gate = Files.writeString(dir.resolve("model-gate"), "open");
    dev.batchinfer.trainer.GatedModel.export(models, gate);
    cluster = ChaosCluster.start(dir, models, ChaosCluster.Layout.full());
    receiver = new WebhookReceiver(List.of(cluster.webhookSecret()));
    checker = new Checker(cluster, receiver);
  }

  /** A failed scenario must not leave its fault behind for the next one. */
  @AfterEach
  void heal() throws java.io.IOException {
    if (gate != null && !Files.exists(gate)) {
      Files.writeString(gate, "open");
    }
    if (cluster != null) {
      ChaosRun.heal(cluster, receiver);
    }
  }

  @AfterAll
  void stop() {
    if (receiver != null) {
      receiver.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void killNineAWorkerMidBatch() {
    Load load = load();
    Load.Accepted batch = load.submit(ChaosCluster.KEY_A, 10_000, seed++, PATIENCE);
    awaitStarted(batch);
    Service victim = cluster.workers().get(0);
    victim.kill9();
    victim.start();
    pass("1 kill -9 one of 3 workers mid-batch", load);
  }

  @Test
  @Order(2)
  void sigstopAWorkerPastItsSessionThenContinue() {
    Load load = load();
    Load.Accepted batch = load.submit(ChaosCluster.KEY_A, 10_000, seed++, PATIENCE);
    awaitStarted(batch);
    Service victim = cluster.workers().get(1);
    victim.freeze(true);
    // The fault's length: past the consumer's session timeout (45 s), so the group moves its partitions.
    Await.pause(Duration.ofSeconds(50));
    victim.freeze(false);
    pass("2 SIGSTOP a worker past its session timeout, then SIGCONT", load);
  }

  @Test
  @Order(3)
  void sigtermAWorkerFinishesAndLeaves() {
    Load load = load();
    Load.Accepted batch = load.submit(ChaosCluster.KEY_A, 10_000, seed++, PATIENCE);
    awaitStarted(batch);
    Service victim = cluster.workers().get(2);
    int exit = victim.terminate(Duration.ofSeconds(90));
    victim.start();
    Figures f = pass("4 SIGTERM a worker", load);
    assertThat(exit).as("exit code of a worker stopped with SIGTERM").isIn(0, 143);
    assertThat(f.lost()).isZero();
  }

  @Test
  @Order(4)
  void addAWorkerMidBatch() {
    Load load = load();
    Load.Accepted batch = load.submit(ChaosCluster.KEY_A, 10_000, seed++, PATIENCE);
    awaitStarted(batch);
    cluster.addWorker();
    pass("3 add a worker mid-batch", load);
  }

  @Test
  @Order(5)
  void killNineRedisMidBatchAndRestartFromItsAof() {
    Load load = load();
    Load.Accepted batch = load.submit(ChaosCluster.KEY_A, 10_000, seed++, PATIENCE);
    awaitStarted(batch);
    cluster.redis().kill9();
    Await.pause(Duration.ofSeconds(3));
    cluster.redis().start();
    pass("9 kill -9 Redis mid-batch, restart from AOF", load);
  }

  @Test
  @Order(6)
  void sigstopRedisTenSeconds() {
    Load load = load();
    Load.Accepted batch = load.submit(ChaosCluster.KEY_A, 10_000, seed++, PATIENCE);
    awaitStarted(batch);
    cluster.redis().freeze(true);
    Await.pause(Duration.ofSeconds(10));
    cluster.redis().freeze(false);
    pass("10a SIGSTOP Redis 10 s", load);
  }

  @Test
  @Order(7)
  void redisOutageOfNinetySeconds() {
    Load load = load();
    Load.Accepted batch = load.submit(ChaosCluster.KEY_A, 10_000, seed++, PATIENCE);
    awaitStarted(batch);
    cluster.redis().stop();
    Api.Answer during;
    try {
      during = cluster.api(0, ChaosCluster.KEY_A).submit(load.body(10, seed++), null);
      Await.pause(Duration.ofSeconds(90));
    } finally {
      cluster.redis().start();
    }
    assertThat(during.status()).as("a submit while Redis is down: " + during.body()).isEqualTo(503);
    assertThat(during.retryAfter()).as("Retry-After on the 503").isPresent();
    pass("10b a 90 s Redis outage mid-batch", load);
  }

  @Test
  @Order(8)
  void brokerDownAtSubmitAnswers503AndQueuesNothing() {
    cluster.broker().kill9();
    try {
      Load load = load();
      Api.Answer a = cluster.api(1, ChaosCluster.KEY_A).submit(load.body(100, seed++), null);
      assertThat(a.status()).as("submit with the broker down: " + a.body()).isEqualTo(503);
      assertThat(a.retryAfter()).as("Retry-After on the 503").isPresent();
    } finally {
      cluster.restartBroker();
    }
    // Nothing was queued for it: the checker's ghost scan finds no record left behind by the refused submit.
    Load after = load();
    after.submit(ChaosCluster.KEY_A, 100, seed++, PATIENCE);
    pass("6 broker down at submit: 503 + Retry-After, nothing queued", after);
  }

  @Test
  @Order(9)
  void killNineTheBrokerDuringSubmitsAndRestart() throws Exception {
    Load load = load();
    ExecutorService submitters = Executors.newFixedThreadPool(2);
    try {
      List<Future<Load.Accepted>> inFlight = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        long s = seed++;
        inFlight.add(submitters.submit(() -> load.submit(ChaosCluster.KEY_B, 2_000, s, Duration.ofMinutes(3))));
      }
      Await.until(Duration.ofMinutes(1), "a first batch accepted", () -> !load.accepted().isEmpty());
      cluster.broker().kill9();
      Await.pause(Duration.ofSeconds(5));
      cluster.restartBroker();
      for (Future<Load.Accepted> f : inFlight) {
        assertThat(f.get()).as("a batch accepted once the broker is back").isNotNull();
      }
    } finally {
      submitters.shutdownNow();
    }
    pass("5 kill -9 the broker during submits, restart", load);
  }

  @Test
  @Order(10)
  void receiverFailsTwiceThenAcknowledges() {
    receiver.answer(a -> receiver.attemptsOf(a.webhookId()) <= 2 ? new WebhookReceiver.Reply(500, Duration.ZERO, null)
        : WebhookReceiver.Reply.ok());
    try {
      Load load = load();
      for (int i = 0; i < 3; i++) {
        load.submit(ChaosCluster.KEY_A, 500, seed++, PATIENCE);
      }
      Figures f = pass("11 receiver answers 500, 500, 200", load);
      for (Load.Accepted b : load.accepted()) {
        assertThat(receiver.attemptsOf(b.batchId() + ":batch.completed")).as("attempts of " + b.batchId()).isEqualTo(3);
      }
      assertThat(f.webhooksAcknowledged()).isEqualTo(3);
    } finally {
      receiver.answer(a -> WebhookReceiver.Reply.ok());
    }
  }

  @Test
  @Order(11)
  void receiverStallsPastTheTimeoutOnce() {
    receiver.answer(a -> receiver.attemptsOf(a.webhookId()) == 1 ? new WebhookReceiver.Reply(200, Duration.ofSeconds(6), null)
        : WebhookReceiver.Reply.ok());
    try {
      Load load = load();
      for (int i = 0; i < 2; i++) {
        load.submit(ChaosCluster.KEY_A, 500, seed++, PATIENCE);
      }
      pass("12 receiver stalls past the dispatcher's timeout", load);
      for (Load.Accepted b : load.accepted()) {
        assertThat(receiver.attemptsOf(b.batchId() + ":batch.completed")).as("attempts of " + b.batchId()).isGreaterThanOrEqualTo(2);
      }
    } finally {
      receiver.answer(a -> WebhookReceiver.Reply.ok());
    }
  }

  @Test
  @Order(12)
  void receiverDownThen429WithRetryAfterThenGone() {
    receiver.answer(a -> switch (receiver.attemptsOf(a.webhookId())) {
      case 1 -> WebhookReceiver.Reply.status(WebhookReceiver.Reply.HANG_UP);
      case 2 -> new WebhookReceiver.Reply(429, Duration.ZERO, "2");
      default -> a.webhookId() != null && a.batchId() != null && goneBatch.equals(a.batchId())
          ? WebhookReceiver.Reply.status(410) : WebhookReceiver.Reply.ok();
    });
    try {
      Load load = load();
      load.submit(ChaosCluster.KEY_A, 300, seed++, PATIENCE);
      pass("13 receiver down, then 429 + Retry-After, then 200", load);
      for (Load.Accepted b : load.accepted()) {
        assertThat(receiver.attemptsOf(b.batchId() + ":batch.completed")).as("attempts of " + b.batchId()).isEqualTo(3);
      }
      // 410 Gone: one attempt, the delivery fails for good and is recorded so; no retries.
      Load gone = new Load(cluster, receiver.url("/gone"));
      Load.Accepted b = gone.submit(ChaosCluster.KEY_A, 50, seed++, PATIENCE);
      goneBatch = b.batchId();
      Api api = cluster.api(0, ChaosCluster.KEY_A);
      Await.until(DRAIN, "the 410 delivery recorded as failed", () -> {
        Api.Answer cb = api.get("/v1/batch/" + b.batchId() + "/callbacks");
        return cb.body() != null && cb.body().path("deliveries").path(0).path("status").asText().equals("failed");
      });
      assertThat(receiver.attemptsOf(b.batchId() + ":batch.completed")).as("attempts after a 410").isEqualTo(3);
    } finally {
      receiver.answer(a -> WebhookReceiver.Reply.ok());
    }
  }

  @Test
  @Order(13)
  void malformedAndOversizeBodiesProduceNothing() throws Exception {
    long before = requestRecords();
    Api api = cluster.api(0, ChaosCluster.KEY_A);
    Api.Answer malformed = api.submit("{\"model\":\"fashion-mnist\",\"inputs\":[{\"pixels\":\"AAAA\"}".getBytes(), null);
    Api.Answer wrongShape = api.submit("{\"model\":\"fashion-mnist\",\"inputs\":[{\"pixels\":\"AAAA\"}]}".getBytes(), null);
    byte[] big = new byte[70 * 1024 * 1024];
    java.util.Arrays.fill(big, (byte) ' ');
    Api.Answer oversize = api.submit(big, null);
    System.out.println("[chaos] 18-19 malformed " + malformed.status() + ", wrong shape " + wrongShape.status() + ", oversize "
        + oversize.status() + "; request records before " + before + ", after " + requestRecords());
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(wrongShape.status()).isIn(400, 422);
    assertThat(oversize.status()).isIn(413, 0);
    assertThat(requestRecords()).as("records on the request topics").isEqualTo(before);
  }

  @Test
  @Order(14)
  void concurrentRequestsWithOneIdempotencyKey() throws Exception {
    Load load = load();
    byte[] body = load.body(2_000, seed++);
    String key = java.util.UUID.randomUUID().toString();
    ExecutorService two = Executors.newFixedThreadPool(2);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<Future<Api.Answer>> answers = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Api api = cluster.api(i, ChaosCluster.KEY_A);
        answers.add(two.submit(() -> {
          go.await();
          return api.submit(body, key);
        }));
      }
      go.countDown();
      List<Integer> statuses = new ArrayList<>();
      java.util.Set<String> ids = new java.util.HashSet<>();
      for (Future<Api.Answer> f : answers) {
        Api.Answer a = f.get();
        statuses.add(a.status());
        if (a.status() == 202 || a.status() == 200) {
          ids.add(a.text("batch_id"));
        }
      }
      System.out.println("[chaos] 21 two concurrent submits with one Idempotency-Key answered " + statuses + ", batches " + ids);
      assertThat(ids).as("batches created for one key").hasSize(1);
      assertThat(statuses).as("one accepted, the other 409 (in flight) or the same batch").contains(202)
          .allMatch(s -> s == 202 || s == 200 || s == 409);
    } finally {
      two.shutdownNow();
    }
  }

  @Test
  @Order(15)
  void tenantsSeeOnlyTheirOwnBatches() {
    Load load = load();
    Load.Accepted a = load.submit(ChaosCluster.KEY_A, 50, seed++, PATIENCE);
    pass("22 tenant isolation (batch of tenant A)", load);
    Api other = cluster.api(1, ChaosCluster.KEY_B);
    int status = other.status(a.batchId()).status();
    int results = other.get("/v1/batch/" + a.batchId() + "/results").status();
    int retry = other.post("/v1/batch/" + a.batchId() + "/retry", "{}").status();
    int cancel = other.post("/v1/batch/" + a.batchId() + "/cancel", "{}").status();
    System.out.println("[chaos] 22 tenant B on tenant A's batch: status " + status + ", results " + results + ", retry " + retry
        + ", cancel " + cancel);
    assertThat(List.of(status, results, retry, cancel)).as("tenant B sees no trace of tenant A's batch").containsOnly(404);
  }

  @Test
  @Order(16)
  void killNineAnApiDuringSubmits() throws Exception {
    Load load = load();
    ExecutorService submitters = Executors.newFixedThreadPool(3);
    try {
      List<Future<Load.Accepted>> inFlight = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        long s = seed++;
        inFlight.add(submitters.submit(() -> load.submit(ChaosCluster.KEY_B, 8_000, s, Duration.ofMinutes(3))));
      }
      Await.until(Duration.ofMinutes(1), "a first batch accepted", () -> !load.accepted().isEmpty());
      Service victim = cluster.apis().get(0);
      victim.kill9();
      Await.pause(Duration.ofSeconds(2));
      victim.start();
      cluster.awaitApis(Duration.ofMinutes(2));
      for (Future<Load.Accepted> f : inFlight) {
        assertThat(f.get()).as("every batch accepted in the end, by one instance or the other").isNotNull();
      }
    } finally {
      submitters.shutdownNow();
    }
    pass("24 kill -9 an API during submits", load);
  }

  @Test
  @Order(16)
  void killNineAnApiDuringAnAppend() throws Exception {
    Load load = load();
    Service victim = cluster.apis().get(0);
    java.util.concurrent.atomic.AtomicBoolean killed = new java.util.concurrent.atomic.AtomicBoolean();
    ExecutorService killer = Executors.newSingleThreadExecutor();
    try {
      // The third append's first try goes to API 0, which is killed while the append is in flight (its body
      // arriving, or its chunks being committed); the client tries again on the other API with the same key.
      Load.Accepted open = load.appendInParts(ChaosCluster.KEY_B, 6, 2_000, seed++, Duration.ofMinutes(4),
          (part, api) -> {
            if (part == 2 && api == 0 && killed.compareAndSet(false, true)) {
              killer.submit(() -> {
                Await.pause(Duration.ofMillis(150));
                victim.kill9();
              });
            }
          });
      assertThat(killed.get()).as("the kill was made").isTrue();
      assertThat(open).as("every append answered 200 in the end, and the finalize").isNotNull();
      victim.start();
      cluster.awaitApis(Duration.ofMinutes(2));
    } finally {
      killer.shutdownNow();
    }
    pass("25 kill -9 an API during an append to an open batch", load);
  }

  @Test
  @Order(17)
  void signaturesVerifyThroughASecretRotation() {
    String newSecret = dev.batchinfer.callback.sign.WebhookSigner.newSecret(new java.security.SecureRandom());
    String old = cluster.webhookSecret();
    // Rolling: each dispatcher in turn restarts signing with both secrets, the new one first.
    for (Service d : cluster.dispatchers()) {
      d.restartWith(Map.of("WEBHOOK_SECRETS", newSecret + "," + old));
    }
    try (WebhookReceiver oldOnly = new WebhookReceiver(List.of(old));
        WebhookReceiver newOnly = new WebhookReceiver(List.of(newSecret))) {
      Load toOld = new Load(cluster, oldOnly.url());
      Load toNew = new Load(cluster, newOnly.url());
      toOld.submit(ChaosCluster.KEY_A, 100, seed++, PATIENCE);
      toNew.submit(ChaosCluster.KEY_A, 100, seed++, PATIENCE);
      Figures a = new Checker(cluster, oldOnly).check("14 rotation: receiver holding the old secret", toOld, DRAIN);
      Figures b = new Checker(cluster, newOnly).check("14 rotation: receiver holding the new secret", toNew, DRAIN);
      System.out.println(a);
      System.out.println(b);
      assertThat(a.passed()).as(a.toString()).isTrue();
      assertThat(b.passed()).as(b.toString()).isTrue();
    } finally {
      for (Service d : cluster.dispatchers()) {
        d.restartWith(Map.of("WEBHOOK_SECRETS", old));
      }
    }
  }

  @Test
  @Order(18)
  void aTenantsFloodLeavesTheOtherTenantUnaffected() throws Exception {
    Load flood = load();
    Load quiet = load();
    ExecutorService flooders = Executors.newFixedThreadPool(4);
    try {
      List<Future<Load.Accepted>> floods = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        long s = seed++;
        // One try or two: a refused flood batch is the point, not a failure.
        floods.add(flooders.submit(() -> flood.submit(ChaosCluster.KEY_A, 10_000, s, Duration.ofSeconds(1))));
      }
      for (Future<Load.Accepted> f : floods) {
        f.get();
      }
      Load.Accepted small = quiet.submit(ChaosCluster.KEY_B, 200, seed++, PATIENCE);
      assertThat(small).as("tenant B's batch accepted during tenant A's flood").isNotNull();
      Api b = cluster.api(1, ChaosCluster.KEY_B);
      Api a = cluster.api(0, ChaosCluster.KEY_A);
      Await.until(DRAIN, "tenant B's batch completed", () -> "completed".equals(b.status(small.batchId()).text("status")));
      long aStillRunning = flood.accepted().stream()
          .filter(x -> !"completed".equals(a.status(x.batchId()).text("status"))).count();
      System.out.println("[chaos] 20 tenant A flood: answers " + flood.answersByStatus() + ", accepted "
          + flood.accepted().size() + " of 12, still running when tenant B's batch completed " + aStillRunning);
      assertThat(flood.answersByStatus()).as("tenant A met its quota").containsKey(429);
      assertThat(aStillRunning).as("tenant B's batch finished ahead of tenant A's backlog").isPositive();
    } finally {
      flooders.shutdownNow();
    }
    pass("20 tenant flood: tenant A's accepted batches", flood);
  }

  @Test
  @Order(19)
  void corruptRecordsAndBadItemsEndFailedWithAReason() throws Exception {
    // Written straight to Kafka and Redis as a buggy producer would, past the API's validation: chunk 0 no decoder
    // reads, chunk 1 holds an item of 783 bytes where the model takes 784, chunk 2 is fine.
    String id = java.util.UUID.randomUUID().toString();
    var redis = dev.batchinfer.store.Redis.connect(cluster.redisUrl(), ChaosCluster.KEY_PREFIX);
    var store = dev.batchinfer.store.batch.BatchStores.over(redis);
    var topics = dev.batchinfer.topics.Topics.withPrefix("");
    var topic = topics.requests(dev.batchinfer.topics.message.Priority.NORMAL).name();
    java.time.Instant now = java.time.Instant.now();
    try (redis; var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(Map.of(
        "bootstrap.servers", cluster.bootstrapServers(), "acks", "all"),
        new org.apache.kafka.common.serialization.StringSerializer(),
        new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      store.records().create(dev.batchinfer.store.batch.BatchRecord.queued(id, "tenant-a", "fashion-mnist", "2.0.0",
          dev.batchinfer.topics.message.Priority.NORMAL, 7, new long[] {0, 2, 5}, receiver.url(),
          dev.batchinfer.topics.message.BatchEvent.DEFAULT_TYPES, null, now, now, now.plusSeconds(3600),
          Duration.ofDays(1)));
      producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, id + ":0",
          "BI\u0002 truncated".getBytes(java.nio.charset.StandardCharsets.UTF_8))).get();
      producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, id + ":1", chunk(id, 1, 2,
          new int[] {784, 783, 784}))).get();
      producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, id + ":2", chunk(id, 2, 5,
          new int[] {784, 784}))).get();
    }
    Api api = cluster.api(0, ChaosCluster.KEY_A);
    Await.until(DRAIN, "batch " + id + " final", () -> "completed_with_errors".equals(api.status(id).text("status")));
    java.util.Map<Integer, String> codes = new java.util.TreeMap<>();
    for (com.fasterxml.jackson.databind.JsonNode r : api.client().results(id).toList()) {
      codes.put(r.path("index").asInt(), r.path("error").path("code").asText("ok"));
    }
    Await.until(DRAIN, "the completion webhook of " + id, () -> receiver.attempts().stream()
        .anyMatch(a -> id.equals(a.batchId()) && a.answered() == 200 && "batch.completed_with_errors".equals(a.type())));
    // No JSON number is NaN: the API refuses the body and names where, and nothing is queued.
    long before = requestRecords();
    Api.Answer nan = api.submit("{\"model\":\"fashion-mnist\",\"inputs\":[{\"pixels\":[NaN]}]}".getBytes(), null);
    System.out.println("[chaos] 7 corrupt record, wrong shape: status completed_with_errors, item codes " + codes
        + ", progress " + api.status(id).body().path("progress") + "; NaN in a submit: " + nan.status() + " "
        + nan.body().path("detail").asText());
    assertThat(codes).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of(0, "corrupt_record", 1, "corrupt_record",
        2, "ok", 3, "invalid_input", 4, "ok", 5, "ok", 6, "ok")));
    assertThat(api.status(id).body().path("progress").path("failed").asLong()).isEqualTo(3);
    assertThat(nan.status()).isEqualTo(400);
    assertThat(requestRecords()).isEqualTo(before);
  }

  /** A chunk in the wire format, its items of the given sizes. */
  private static byte[] chunk(String batchId, int index, long firstItem, int[] sizes) {
    var h = new dev.batchinfer.topics.message.ChunkHeader(batchId, index, 3, 7, "fashion-mnist", "2.0.0",
        dev.batchinfer.topics.message.Priority.NORMAL, System.currentTimeMillis());
    long[] indexes = new long[sizes.length];
    int[] offsets = new int[sizes.length + 1];
    for (int i = 0; i < sizes.length; i++) {
      indexes[i] = firstItem + i;
      offsets[i + 1] = offsets[i] + sizes[i];
    }
    return dev.batchinfer.topics.serde.ChunkCodec.encode(h, indexes, offsets, new byte[offsets[sizes.length]]);
  }

  @Test
  @Order(20)
  void submitsAtTenTimesCapacityForAMinute() throws Exception {
    int perBatch = 5_000;
    // Capacity: how fast the cluster drains a backlog once warm. Eight batches at once (their chunks interleave);
    // the rate is that of the items done between 20 % and 90 % of them, past a cold worker's start-up.
    Load probe = load();
    List<Future<Load.Accepted>> probes = new ArrayList<>();
    ExecutorService senders = Executors.newFixedThreadPool(16);
    try {
      for (int i = 0; i < 8; i++) {
        long s = seed++;
        probes.add(senders.submit(() -> probe.submit(ChaosCluster.KEY_B, perBatch, s, PATIENCE)));
      }
      Api b = cluster.api(1, ChaosCluster.KEY_B);
      List<Load.Accepted> probeBatches = new ArrayList<>();
      for (Future<Load.Accepted> f : probes) {
        probeBatches.add(f.get());
      }
      long total = 8L * perBatch;
      long[] mark = new long[4]; // nanos and items at 20 %, then at 90 %
      Await.until(DRAIN, "the probe batches done", () -> {
        long done = probeBatches.stream().mapToLong(p -> b.status(p.batchId()).body().path("progress").path("completed")
            .asLong()).sum();
        long now = System.nanoTime();
        if (mark[0] == 0 && done >= total / 5) {
          mark[0] = now;
          mark[1] = done;
        }
        if (mark[0] != 0 && done >= total * 9 / 10) {
          mark[2] = now;
          mark[3] = done;
        }
        return mark[2] != 0;
      });
      double capacity = (mark[3] - mark[1]) / Math.max(1e-3, (mark[2] - mark[0]) / 1e9);
      for (Load.Accepted p : probeBatches) {
        Await.until(DRAIN, "probe batch completed", () -> "completed".equals(b.status(p.batchId()).text("status")));
      }
      cluster.services().forEach(s -> s.jvm().resetPeakRss());
      // Bodies made once and sent again and again: the client's own CPU must not be what limits the offer.
      List<byte[]> bodies = new ArrayList<>();
      List<Long> seeds = new ArrayList<>();
      Load flood = load();
      for (int i = 0; i < 8; i++) {
        seeds.add(seed);
        bodies.add(flood.body(perBatch, seed++));
      }
      double offerPerSecond = 10 * capacity;
      java.util.concurrent.atomic.AtomicLong offered = new java.util.concurrent.atomic.AtomicLong();
      long start = System.nanoTime();
      long end = start + Duration.ofSeconds(60).toNanos();
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int sender = t;
        running.add(senders.submit(() -> {
          int n = 0;
          while (System.nanoTime() < end) {
            // Paced to 10x capacity in all; one try per batch (a 429 is the answer).
            long due = start + (long) (offered.get() / offerPerSecond * 1e9);
            if (System.nanoTime() < due) {
              Await.pause(Duration.ofMillis(Math.max(1, (due - System.nanoTime()) / 1_000_000)));
              continue;
            }
            offered.addAndGet(perBatch);
            int k = (sender + 16 * n++) % bodies.size();
            flood.offer(ChaosCluster.KEY_A, perBatch, seeds.get(k), bodies.get(k));
          }
          return null;
        }));
      }
      for (Future<?> f : running) {
        f.get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Figures f = pass("23 submits at 10x capacity for 60 s", flood);
      StringBuilder rss = new StringBuilder();
      for (Service s : cluster.services()) {
        rss.append(s.name()).append(' ').append(s.jvm().peakRssBytes() >> 20).append(" MB (heap ")
            .append(s.jvm().maxHeap()).append("); ");
      }
      System.out.printf("[chaos] 23 capacity %.0f items/s; offered %d items in %.0f s (%.1fx capacity), answers %s,"
          + " accepted %d items; peak RSS %s%n", capacity, offered.get(), seconds, offered.get() / seconds / capacity,
          flood.answersByStatus(), f.itemsSubmitted(), rss);
      assertThat(flood.answersByStatus()).as("the flood met the tenant's cap").containsKey(429);
      assertThat(cluster.services()).as("no process died of the flood").allMatch(Service::isRunning);
      for (Service s : cluster.apis()) {
        assertThat(s.jvm().peakRssBytes()).as("peak RSS of " + s.name())
            .isLessThan(heapBytes(s.jvm().maxHeap()) + (400L << 20));
      }
    } finally {
      senders.shutdownNow();
    }
  }

  private synchronized long seed() {
    return seed++;
  }

  private static long heapBytes(String heap) {
    long n = Long.parseLong(heap.substring(0, heap.length() - 1));
    return heap.endsWith("g") ? n << 30 : n << 20;
  }

  @Test
  @Order(21)
  void aModelCallThatFailsTransientlyIsTriedAgainNotFailed() throws Exception {
    Load load = new Load(cluster, receiver.url(), dev.batchinfer.trainer.GatedModel.MODEL);
    long before = retriesLogged();
    // The model's every call reads this file: gone, the calls fail inside TensorFlow until it is back. The model is
    // fast, so the file goes before the batch comes, and comes back as soon as a worker has logged a failed call:
    // well within the 1.4 s of tries again.
    Files.delete(gate);
    try {
      load.submit(ChaosCluster.KEY_A, 30_000, seed++, PATIENCE);
      Await.until(Duration.ofMinutes(1), "a worker's model call failed on the missing file", () -> {
        try {
          return retriesLogged() > before;
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    } finally {
      Files.writeString(gate, "open");
    }
    Figures f = pass("8 a model call fails transiently (the gated model's file gone until a call failed)", load);
    long retries = retriesLogged() - before;
    // Passed means completed with no item failed: every failure was tried again until it went through.
    System.out.println("[chaos] 8 model calls tried again after a failure: " + retries + "; batch " + f.itemsSubmitted()
        + " items, every one with a result and none failed");
    assertThat(retries).as("model calls that failed and were tried again (else the fault missed the batch)").isPositive();
  }

  /** Lines the workers logged for a model call tried again, over every worker log of the run. */
  private long retriesLogged() throws java.io.IOException {
    long n = 0;
    try (var logs = Files.list(cluster.dir())) {
      for (Path log : logs.filter(p -> p.getFileName().toString().matches("gpu-worker-\\d+\\.log")).toList()) {
        try (var lines = Files.lines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
          n += lines.filter(l -> l.contains("the model call failed")).count();
        }
      }
    }
    return n;
  }

  /** Records on the three request topics (end offsets, summed). */
  private long requestRecords() throws Exception {
    var topics = dev.batchinfer.topics.Topics.withPrefix("");
    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> q = new java.util.HashMap<>();
    for (var p : dev.batchinfer.topics.message.Priority.values()) {
      var t = topics.requests(p);
      for (int i = 0; i < t.partitions(); i++) {
        q.put(new org.apache.kafka.common.TopicPartition(t.name(), i), org.apache.kafka.clients.admin.OffsetSpec.latest());
      }
    }
    return cluster.admin().listOffsets(q).all().get().values().stream().mapToLong(r -> r.offset()).sum();
  }

  private Load load() {
    return new Load(cluster, receiver.url());
  }

  /** Waits until the batch has some results but not all: the fault then lands mid-batch. */
  private void awaitStarted(Load.Accepted batch) {
    assertThat(batch).as("the batch was accepted").isNotNull();
    Api api = cluster.api(0, batch.apiKey());
    long[] done = new long[1];
    Await.until(Duration.ofMinutes(2), "batch " + batch.batchId() + " started", () -> {
      Api.Answer s = api.status(batch.batchId());
      done[0] = s.body() == null ? 0 : s.body().path("progress").path("completed").asLong();
      return done[0] > 0;
    });
    assertThat(done[0]).as("items done when the fault is made: it must land mid-batch").isLessThan(batch.items());
  }

  private Figures pass(String scenario, Load load) {
    Figures f = checker.check(scenario, load, DRAIN);
    System.out.println(f);
    assertThat(f.passed()).as(f.toString()).isTrue();
    return f;
  }
}
