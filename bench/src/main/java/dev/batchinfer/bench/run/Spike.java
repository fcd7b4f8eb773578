package dev.batchinfer.bench.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A traffic spike: batches submitted at a fixed rate (open loop, so a slow answer does not slow the
 * offered load, and latency counts from when the request was due) well above what the workers
 * drain, for a while; then the drain. Sampled every second: queue depth, items finished, items
 * accepted. Interactive calls (status polls, sync predicts) run alongside the whole time.
 */
public final class Spike {

  /** Submits in flight at most: the load generator's threads, each sending one submit at a time. */
  public static final int SENDERS = 64;

  /** One second of the run. */
  public record Sample(double t, long acceptedItems, long doneItems, long queuedItems) {}

  /** What the run saw. */
  public record Result(double offeredItemsPerSecond, int batchItems, int seconds, long submits, long accepted,
      long serverErrors, long otherErrors, Latencies submitLatency, double drainSeconds, double meanDrainRate,
      List<Sample> samples, List<Latencies> submitLatencyBySecond, Latencies statusDuring, Latencies syncDuring,
      double intakeSeconds,
      Map<String, Double> intakeCpuSeconds, Map<String, Map<String, Double>> intakeCpuByThread,
      Map<String, Double> intakeCpuWaitSeconds) {

    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("offered_items_per_second", Math.round(offeredItemsPerSecond));
      m.put("batch_items", batchItems);
      m.put("spike_seconds", seconds);
      m.put("submits", submits);
      m.put("accepted", accepted);
      m.put("http_5xx", serverErrors);
      m.put("other_errors", otherErrors);
      m.put("submit_latency", submitLatency.summary());
      // By the second a submit was due: a tail at the start (compiling, pools growing) reads
      // differently from one throughout (too little CPU).
      m.put("submit_p99_ms_by_second", submitLatencyBySecond.stream().map(l -> Latencies.round(l.millis(0.99))).toList());
      // Intake: from the first submit due to the last answered. What it cost every process, per item accepted.
      m.put("intake_seconds", Pipeline.round(intakeSeconds));
      m.put("accepted_items_per_second_during_intake", Math.round(batchItems * accepted / intakeSeconds));
      m.put("cpu_seconds_during_intake", intakeCpuSeconds);
      m.put("cpu_seconds_by_thread_during_intake", intakeCpuByThread);
      if (!intakeCpuWaitSeconds.isEmpty()) {
        // Runnable but without a CPU: what the processes lost to each other.
        m.put("cpu_wait_seconds_during_intake", intakeCpuWaitSeconds);
      }
      m.put("drain_seconds_after_spike", Pipeline.round(drainSeconds));
      m.put("mean_items_per_second_spike_start_to_drained", Math.round(meanDrainRate));
      m.put("status_poll_latency_during", statusDuring.summary());
      m.put("sync_predict_latency_during", syncDuring.summary());
      m.put("samples", samples.stream().map(s -> List.of(s.t(), s.acceptedItems(), s.doneItems(), s.queuedItems())).toList());
      return m;
    }
  }

  private Spike() {}

  /** @param cpu begun before the spike; read when the intake ends */
  public static Result run(ApiClient api, ProgressWatch watch, double offeredItemsPerSecond, int batchItems, int seconds,
      Bodies.Body body, String version, Interactive interactive, CpuMeter cpu) {
    double perSecond = offeredItemsPerSecond / batchItems;
    long intervalNanos = (long) (1e9 / perSecond);
    int total = (int) Math.round(perSecond * seconds);
    ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    Latencies latency = new Latencies();
    List<Latencies> bySecond = new ArrayList<>();
    for (int i = 0; i < seconds; i++) {
      bySecond.add(new Latencies());
    }
    AtomicInteger serverErrors = new AtomicInteger();
    AtomicInteger otherErrors = new AtomicInteger();
    AtomicLong acceptedItems = new AtomicLong();
    AtomicInteger accepted = new AtomicInteger();
    List<Sample> samples = java.util.Collections.synchronizedList(new ArrayList<>());
    long doneBefore = watch.doneItems(); // the watch may have seen an earlier spike
    long start = System.nanoTime();
    sampler.scheduleAtFixedRate(() -> {
      long done = watch.doneItems() - doneBefore;
      long in = acceptedItems.get();
      samples.add(new Sample(Math.round((System.nanoTime() - start) / 1e7) / 100.0, in, done, in - done));
    }, 0, 1, TimeUnit.SECONDS);
    Interactive.Running probes = interactive.start();
    try {
      for (int i = 0; i < total; i++) {
        long due = start + i * intervalNanos;
        Latencies second = bySecond.get((int) Math.min(seconds - 1, (due - start) / 1_000_000_000L));
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        senders.execute(() -> {
          try {
            ApiClient.Answer a = api.submit(body, version);
            long took = System.nanoTime() - due;
            latency.record(took);
            second.record(took);
            if (a.status() == 202) {
              String id = a.text("batch_id");
              watch.track(id);
              probes.batchAccepted(id);
              acceptedItems.addAndGet(batchItems);
              accepted.incrementAndGet();
            } else if (a.status() >= 500) {
              serverErrors.incrementAndGet();
            } else {
              otherErrors.incrementAndGet();
            }
          } catch (RuntimeException e) {
            otherErrors.incrementAndGet();
          }
        });
      }
      senders.shutdown();
      senders.awaitTermination(5, TimeUnit.MINUTES);
      long spikeEnd = System.nanoTime();
      Map<String, Double> intakeCpu = cpu.seconds();
      Map<String, Map<String, Double>> intakeThreads = cpu.threadSeconds(6);
      Map<String, Double> intakeWait = cpu.waitSeconds();
      while (watch.openBatches() > 0) {
        Pipeline.sleep(100);
      }
      long drained = System.nanoTime();
      probes.stop();
      sampler.shutdown();
      sampler.awaitTermination(10, TimeUnit.SECONDS);
      return new Result(offeredItemsPerSecond, batchItems, seconds, total, accepted.get(), serverErrors.get(),
          otherErrors.get(), latency, (drained - spikeEnd) / 1e9, acceptedItems.get() / ((drained - start) / 1e9),
          List.copyOf(samples), bySecond, probes.statusLatency(), probes.syncLatency(), (spikeEnd - start) / 1e9, intakeCpu, intakeThreads,
          intakeWait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      senders.shutdownNow();
      sampler.shutdownNow();
    }
  }

  /** Status polls and single-item sync predicts at a light, steady rate, in the background. */
  public record Interactive(ApiClient api, String firstBatchId, String syncModel, String syncVersion, long statusEveryMs,
      long syncEveryMs) {

    public Running start() {
      Running r = new Running(this);
      r.begin();
      return r;
    }

    /** The probes while they run. */
    public static final class Running {
      private final Interactive spec;
      private final Latencies status = new Latencies();
      private final Latencies sync = new Latencies();
      private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
      private volatile String latestBatch;
      private final SplittableRandom random = new SplittableRandom(7);

      Running(Interactive spec) {
        this.spec = spec;
        this.latestBatch = spec.firstBatchId();
      }

      void begin() {
        timer.scheduleAtFixedRate(() -> timed(status, () -> spec.api().status(latestBatch)), 0, spec.statusEveryMs(),
            TimeUnit.MILLISECONDS);
        timer.scheduleAtFixedRate(() -> {
          byte[] body;
          synchronized (random) {
            body = Bodies.syncImage(random);
          }
          timed(sync, () -> spec.api().syncPredict(spec.syncModel(), spec.syncVersion(), body));
        }, 0, spec.syncEveryMs(), TimeUnit.MILLISECONDS);
      }

      void batchAccepted(String id) {
        latestBatch = id;
      }

      private static void timed(Latencies into, java.util.function.Supplier<ApiClient.Answer> call) {
        long t = System.nanoTime();
        try {
          ApiClient.Answer a = call.get();
          if (a.status() == 200) {
            into.record(System.nanoTime() - t);
          }
        } catch (RuntimeException e) {
          // counted by its absence: the summary's count is of successful calls
        }
      }

      public void stop() {
        timer.shutdownNow();
      }

      public Latencies statusLatency() {
        return status;
      }

      public Latencies syncLatency() {
        return sync;
      }
    }
  }
}
