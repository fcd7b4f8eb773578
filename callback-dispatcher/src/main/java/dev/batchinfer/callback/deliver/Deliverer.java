package dev.batchinfer.callback.deliver;

import io.opentelemetry.context.Scope;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Span;
import dev.batchinfer.observability.Tracing;
import dev.batchinfer.observability.LogContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.callback.DispatcherException;
import dev.batchinfer.callback.schedule.RetrySchedule;
import dev.batchinfer.callback.sign.WebhookSigners;
import dev.batchinfer.store.webhook.Delivery;
import dev.batchinfer.store.webhook.DeliveryStatus;
import dev.batchinfer.store.webhook.WebhookStore;
import dev.batchinfer.topics.Topic;
import dev.batchinfer.config.callback.CallbackPolicy;
import dev.batchinfer.config.callback.RejectedCallbackException;
import dev.batchinfer.config.callback.UnresolvedCallbackException;
import dev.batchinfer.topics.message.WebhookDeadLetter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one attempt of a claimed delivery and decides what follows: done on 2xx; stop on 410 Gone
 * (and send nothing more to that endpoint); otherwise the next attempt per the retry schedule, or
 * the dead-letter topic when it is used up. Every attempt is recorded for the callbacks API.
 */
public final class Deliverer {

  private static final Logger log = LoggerFactory.getLogger(Deliverer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final WebhookStore store;
  private final CallbackPolicy policy;
  private final HttpPoster poster;
  private final WebhookSigners signers;
  private final RetrySchedule schedule;
  private final Producer<byte[], byte[]> producer;
  private final Topic<String, WebhookDeadLetter> deadLetters;
  private final Clock clock;
  private final DeliveryMetrics metrics;

  public Deliverer(WebhookStore store, CallbackPolicy policy, HttpPoster poster, WebhookSigners signers,
      RetrySchedule schedule, Producer<byte[], byte[]> producer, Topic<String, WebhookDeadLetter> deadLetters,
      Clock clock, DeliveryMetrics metrics) {
    this.store = store;
    this.policy = policy;
    this.poster = poster;
    this.signers = signers;
    this.schedule = schedule;
    this.producer = producer;
    this.deadLetters = deadLetters;
    this.clock = clock;
    this.metrics = metrics;
  }

  public void attempt(String batchId, String type) {
    Optional<Delivery> found = store.find(batchId, type);
    if (found.isEmpty() || found.get().status() != DeliveryStatus.PENDING) {
      store.unschedule(batchId, type);
      return;
    }
    Delivery d = found.get();
    Span span = Tracing.tracer().spanBuilder("webhook " + d.type()).setSpanKind(SpanKind.CLIENT)
        .setParent(Tracing.fromTraceparent(d.traceparent())).setAttribute("batchinfer.batch_id", d.batchId())
        .setAttribute("batchinfer.attempt", d.attempts() + 1).startSpan();
    try (LogContext.Scope logs = LogContext.open(d.batchId(), d.tenant(), d.requestId()); Scope current = span.makeCurrent()) {
      attempt(d);
    } finally {
      span.end();
    }
  }

  private void attempt(Delivery d) {
    Instant at = clock.instant();
    Attempt attempt;
    boolean refused = false;
    if (store.isGone(d.tenant(), d.url())) {
      attempt = Attempt.failed("endpoint answered 410 Gone earlier; not called again until a redeliver", Duration.ZERO);
      refused = true;
    } else {
      try {
        CallbackPolicy.Target target = policy.checkUrl(d.url());
        InetAddress address = policy.resolve(target); // checked now, at connect time
        attempt = poster.post(address, target, headers(d, at), d.body().getBytes(StandardCharsets.UTF_8));
      } catch (RejectedCallbackException e) {
        attempt = Attempt.failed("callback_url " + e.getMessage(), Duration.ZERO);
        refused = !(e instanceof UnresolvedCallbackException);
      } catch (RuntimeException e) {
        // e.g. a host name TLS cannot use: a failed attempt like any other, so the schedule ends it.
        attempt = Attempt.failed(e.getClass().getSimpleName() + ": " + e.getMessage(), Duration.ZERO);
      }
    }
    int made = d.attempts() + 1;
    DeliveryStatus outcome;
    long nextAt = 0;
    if (attempt.delivered()) {
      outcome = DeliveryStatus.DELIVERED;
    } else if (attempt.gone() || refused) {
      outcome = DeliveryStatus.FAILED;
      if (attempt.gone()) {
        store.markGone(d.tenant(), d.url());
      }
    } else {
      Optional<Duration> wait = schedule.next(made, attempt.retryAfter());
      outcome = wait.isPresent() ? DeliveryStatus.PENDING : DeliveryStatus.FAILED;
      // Counted from the answer, not from the attempt's start: Retry-After is relative to the
      // response, and a slow endpoint's own time must not eat into its backoff.
      long answered = clock.millis();
      nextAt = wait.map(w -> answered + Math.max(1, w.toMillis())).orElse(0L);
    }
    store.recordAttempt(d, attemptJson(d, made, at, attempt, outcome), outcome, nextAt, attempt.describe());
    metrics.attempted(outcome, attempt.status(), attempt.took());
    if (outcome == DeliveryStatus.FAILED) {
      deadLetter(d, made, attempt.describe(), at);
    }
    log.info("webhook {} attempt {} to {}: {} -> {}", d.eventId(), made, LoggedUrl.of(d.url()), attempt.describe(),
        outcome.wire());
  }

  private Map<String, String> headers(Delivery d, Instant at) {
    long ts = at.getEpochSecond();
    Map<String, String> h = new LinkedHashMap<>();
    h.put("webhook-id", d.eventId()); // the same on every attempt: receivers de-duplicate on it
    h.put("webhook-timestamp", Long.toString(ts));
    h.put("webhook-signature", signers.forTenant(d.tenant()).sign(d.eventId(), ts, d.body()));
    return h;
  }

  private void deadLetter(Delivery d, int attempts, String last, Instant at) {
    WebhookDeadLetter letter = new WebhookDeadLetter(d.eventId(), d.batchId(), d.type(), d.url(), attempts, last,
        d.body(), at.toEpochMilli());
    producer.send(new ProducerRecord<>(deadLetters.name(),
        deadLetters.keySerde().serializer().serialize(deadLetters.name(), d.batchId()),
        deadLetters.valueSerde().serializer().serialize(deadLetters.name(), letter)), (meta, e) -> {
          if (e != null) {
            log.error("webhook {}: dead-letter write failed (the delivery still shows as failed)", d.eventId(), e);
          }
        });
  }

  private static String attemptJson(Delivery d, int n, Instant at, Attempt a, DeliveryStatus outcome) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event_id", d.eventId());
    m.put("type", d.type());
    m.put("attempt", n);
    m.put("at", at.toString());
    m.put("status_code", a.status() == 0 ? null : a.status());
    m.put("error", a.error());
    m.put("duration_ms", a.took().toMillis());
    m.put("outcome", outcome.wire());
    try {
      return JSON.writeValueAsString(m);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new DispatcherException("cannot render the attempt record of " + d.eventId(), e);
    }
  }
}
