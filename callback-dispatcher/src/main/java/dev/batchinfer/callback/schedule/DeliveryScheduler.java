package dev.batchinfer.callback.schedule;

import dev.batchinfer.callback.deliver.Deliverer;
import dev.batchinfer.store.webhook.WebhookStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due deliveries from Redis and runs their attempts on a bounded pool, so retries waiting
 * for their time hold no thread and a slow receiver holds only its own. Several dispatchers can run
 * side by side: a claim is a lease that only one of them gets.
 */
public final class DeliveryScheduler implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(DeliveryScheduler.class);
  private static final long IDLE_WAIT_MS = 100;

  private final WebhookStore store;
  private final Deliverer deliverer;
  private final ExecutorService pool;
  private final Semaphore slots;
  private final long leaseMs;
  private volatile boolean running = true;

  /** @param attemptTimeout the longest an attempt can take; a claim lasts well beyond it */
  public DeliveryScheduler(WebhookStore store, Deliverer deliverer, int concurrency, Duration attemptTimeout) {
    this.store = store;
    this.deliverer = deliverer;
    this.slots = new Semaphore(concurrency);
    this.pool = Executors.newFixedThreadPool(concurrency, r -> new Thread(r, "webhook-attempt"));
    this.leaseMs = attemptTimeout.toMillis() * 2 + 5_000;
  }

  public void stop() {
    running = false;
  }

  @Override
  public void run() {
    while (running) {
      try {
        int free = slots.availablePermits();
        List<String[]> claimed = free == 0 ? List.of() : store.claimDue(System.currentTimeMillis(), free, leaseMs);
        for (String[] c : claimed) {
          slots.acquireUninterruptibly();
          pool.execute(() -> {
            try {
              deliverer.attempt(c[0], c[1]);
            } catch (RuntimeException e) {
              // The claim lapses and the delivery comes due again after the lease.
              log.warn("webhook attempt for batch {} ({}) failed unexpectedly: {}", c[0], c[1], e.toString());
            } finally {
              slots.release();
            }
          });
        }
        if (claimed.isEmpty()) {
          Thread.sleep(IDLE_WAIT_MS); // polling a sorted set; nothing is due
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.warn("cannot read the webhook schedule: {}", e.toString());
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Stops claiming and waits for attempts under way, at most {@code timeout}. */
  public void drain(Duration timeout) {
    running = false;
    pool.shutdown();
    try {
      if (!pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        pool.shutdownNow(); // their claims lapse; the attempts run again elsewhere, same webhook-id
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
