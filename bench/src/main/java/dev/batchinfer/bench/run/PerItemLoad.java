package dev.batchinfer.bench.run;

import dev.batchinfer.embedded.proc.ChildJvm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/** Closed-loop clients against the per-item server: each sends one item, waits, sends the next. */
public final class PerItemLoad {

  private PerItemLoad() {}

  public static Map<String, Object> run(int port, int concurrency, long millis) {
    // The batch path's client is as light: neither side's numbers carry a heavy client's cost.
    SocketHttp http = new SocketHttp("http://127.0.0.1:" + port);
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    Latencies latency = new Latencies();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    long start = System.nanoTime();
    long end = start + millis * 1_000_000;
    try {
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < concurrency; c++) {
        SplittableRandom random = new SplittableRandom(c);
        clients.add(pool.submit(() -> {
          while (System.nanoTime() < end) {
            byte[] body = Bodies.oneImage(random);
            long t = System.nanoTime();
            try {
              SocketHttp.Response r = http.exchange("POST", "/predict", Map.of("Content-Type", "application/json"), body);
              if (r.status() == 200) {
                ok.incrementAndGet();
                latency.record(System.nanoTime() - t);
              } else {
                errors.incrementAndGet();
              }
            } catch (Exception e) {
              errors.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : clients) {
        f.get();
      }
    } catch (Exception e) {
      throw new IllegalStateException("per-item load failed: " + e.getMessage(), e);
    } finally {
      pool.shutdown();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("client_concurrency", concurrency);
    m.put("seconds", Pipeline.round(seconds));
    m.put("items", ok.get());
    m.put("errors", errors.get());
    m.put("items_per_second", Math.round(ok.get() / seconds));
    m.put("latency", latency.summary());
    return m;
  }

  /** Waits until the server answers on its port. */
  public static void awaitUp(int port, ChildJvm server) {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      server.requireAlive();
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        return;
      } catch (java.io.IOException notYet) {
        Pipeline.sleep(200);
      }
    }
    throw new IllegalStateException("the per-item server did not start: " + server.tail(20));
  }
}
