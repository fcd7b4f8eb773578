package dev.batchinfer.worker.infer;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model call tried again after a failure, with back-off, before anything is concluded from it: a transient
 * fault (memory pressure, an accelerator reset) must not fail items that would succeed a moment later. Only a
 * micro-batch that still fails after the back-off is split to find the items it fails on (see
 * {@link InferenceLoop}); a model that stays broken longer is the watchdog's and the health check's business.
 */
final class ModelCallRetry {

  private static final Logger log = LoggerFactory.getLogger(ModelCallRetry.class);

  /** The pauses between tries: four tries within about 1.4 s. */
  static final List<Duration> BACKOFF = List.of(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));

  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private ModelCallRetry() {}

  /** @throws RuntimeException the last try's failure, once every pause of {@code backoff} is spent */
  static <T> T call(String what, Supplier<T> call, List<Duration> backoff, Sleeper sleeper) {
    for (int attempt = 0; ; attempt++) {
      try {
        return call.get();
      } catch (RuntimeException e) {
        if (attempt >= backoff.size()) {
          throw e;
        }
        Duration pause = backoff.get(attempt);
        log.warn("{}: the model call failed ({}); trying again in {} ms", what, e.toString(), pause.toMillis());
        try {
          sleeper.sleep(pause);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}
