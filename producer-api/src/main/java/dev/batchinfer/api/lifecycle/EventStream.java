package dev.batchinfer.api.lifecycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.auth.Authenticator;
import dev.batchinfer.api.read.Batches;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.api.read.BatchView;
import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /v1/batch/{id}/events}: server-sent events of a batch's progress, then its final
 * state. An event's id is the number of items answered so far, so a client that reconnects with
 * {@code Last-Event-ID} gets only what happened after it; the final event always comes last.
 */
public final class EventStream {

  static final Duration POLL = Duration.ofMillis(250);
  static final Duration HEARTBEAT = Duration.ofSeconds(15);
  static final Duration MAX_STREAM = Duration.ofMinutes(30);
  static final int MAX_STREAMS_PER_TENANT = 16;

  private final java.util.Map<String, AtomicInteger> streamsPerTenant = new java.util.concurrent.ConcurrentHashMap<>();

  private final BatchStores store;
  private final BatchView view;
  private final ObjectMapper json;

  public EventStream(BatchStores store, BatchView view, ObjectMapper json) {
    this.store = store;
    this.view = view;
    this.json = json;
  }

  public void stream(Context ctx) throws Exception {
    String tenant = Authenticator.principal(ctx).tenant();
    String id = ctx.pathParam("id");
    BatchRecord batch = Batches.require(store, tenant, id);
    // Each stream holds a server thread: a tenant gets a bounded number, so it cannot starve others.
    AtomicInteger open = streamsPerTenant.computeIfAbsent(tenant, t -> new AtomicInteger());
    if (open.incrementAndGet() > MAX_STREAMS_PER_TENANT) {
      open.decrementAndGet();
      throw new ApiException(429, "too-many-streams", "Too many event streams",
          "tenant " + tenant + " has " + MAX_STREAMS_PER_TENANT + " event streams open; close one first", null,
          Duration.ofSeconds(5));
    }
    try {
      streamTo(ctx, tenant, id, batch);
    } finally {
      open.decrementAndGet();
    }
  }

  private void streamTo(Context ctx, String tenant, String id, BatchRecord batch) throws Exception {
    long lastSent = lastEventId(ctx.header("Last-Event-ID"));
    ctx.contentType("text/event-stream").header("Cache-Control", "no-cache").header("X-Accel-Buffering", "no");
    OutputStream out = ctx.outputStream();
    long deadline = System.nanoTime() + MAX_STREAM.toNanos();
    long lastWrite = System.nanoTime();
    try {
      while (System.nanoTime() < deadline) {
        long answered = batch.completed() + batch.failed() + batch.cancelled();
        if (batch.status().isFinal()) {
          send(out, batch.status().wire(), answered, batch);
          return;
        }
        if (answered > lastSent) {
          send(out, "progress", answered, batch);
          lastSent = answered;
          lastWrite = System.nanoTime();
        } else if (System.nanoTime() - lastWrite > HEARTBEAT.toNanos()) {
          out.write(": still running\n\n".getBytes(StandardCharsets.UTF_8)); // keeps proxies from closing it
          out.flush();
          lastWrite = System.nanoTime();
        }
        Thread.sleep(POLL.toMillis()); // polling Redis; the stream is one client's only
        batch = store.records().find(tenant, id).orElse(batch);
      }
    } catch (IOException clientGone) {
      // the client closed the stream; nothing to clean up
    }
  }

  private void send(OutputStream out, String event, long id, BatchRecord batch) throws IOException {
    Map<String, Object> data = view.status(batch);
    String frame = "id: " + id + "\nevent: " + event + "\ndata: " + json.writeValueAsString(data) + "\n\n";
    out.write(frame.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static long lastEventId(String header) {
    try {
      return header == null ? -1 : Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1; // not one of ours: start from the beginning
    }
  }
}
