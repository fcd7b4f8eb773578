package dev.batchinfer.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A batch's event stream, followed on a thread of its own until the final event: when the connection ends first
 * (the server closes streams after a while, or the network drops), it connects again with the last event's id as
 * {@code Last-Event-ID}, so no event is seen twice and none is missed. Close it to stop early.
 */
public final class EventSubscription implements AutoCloseable {

  private final Transport transport;
  private final String path;
  private final Consumer<BatchEvent> listener;
  private final RetryPolicy retry;
  private final CompletableFuture<BatchEvent> done = new CompletableFuture<>();
  private final Thread thread;
  private volatile String lastEventId;
  private volatile InputStream open;
  private volatile boolean closed;

  EventSubscription(Transport transport, String path, String lastEventId, Consumer<BatchEvent> listener,
      RetryPolicy retry) {
    this.transport = transport;
    this.path = path;
    this.lastEventId = lastEventId;
    this.listener = listener;
    this.retry = retry;
    this.thread = new Thread(this::follow, "batch-events");
    thread.setDaemon(true);
    thread.start();
  }

  /** Completes with the final event, or exceptionally if the stream could not be followed to it. */
  public CompletableFuture<BatchEvent> done() {
    return done;
  }

  /** The id of the last event delivered (null before the first): where a new subscription would resume. */
  public String lastEventId() {
    return lastEventId;
  }

  private void follow() {
    int failures = 0;
    while (!closed) {
      try (InputStream in = Transport.join(transport.stream(
          new Transport.Call("GET", path, null, null, null, "text/event-stream", lastEventId))).body()) {
        open = in;
        failures = 0;
        BatchEvent last = read(in);
        if (last != null) {
          done.complete(last);
          return;
        }
        pause(Duration.ofMillis(100)); // the server ended the stream before the batch: resume from the last id
      } catch (RuntimeException | IOException e) {
        if (closed) {
          break;
        }
        if (e instanceof BatchApiException api && !(api instanceof BatchApiException.Unavailable)) {
          done.completeExceptionally(e); // a refusal (404, 401): connecting again would not help
          return;
        }
        Optional<Duration> wait = retry.next(++failures, Optional.empty());
        if (wait.isEmpty()) {
          done.completeExceptionally(e);
          return;
        }
        pause(wait.get());
      }
    }
    done.cancel(false);
  }

  /** Delivers the events of one connection; the final event, or null if the connection ended before it. */
  private BatchEvent read(InputStream in) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String id = null;
    String type = "message";
    StringBuilder data = new StringBuilder();
    for (String line; (line = r.readLine()) != null; ) {
      if (line.isEmpty()) {
        if (data.length() > 0) {
          BatchEvent e = new BatchEvent(id, type, Batch.of(Transport.read(data.toString().getBytes(StandardCharsets.UTF_8))));
          if (id != null) {
            lastEventId = id;
          }
          listener.accept(e);
          if (e.isFinal()) {
            return e;
          }
        }
        type = "message";
        data.setLength(0);
      } else if (line.startsWith(":")) {
        continue; // a heartbeat
      } else if (line.startsWith("id:")) {
        id = line.substring(3).trim();
      } else if (line.startsWith("event:")) {
        type = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        if (data.length() > 0) {
          data.append('\n');
        }
        data.append(line.substring(5).trim());
      }
    }
    return null;
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    InputStream in = open;
    if (in != null) {
      try {
        in.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    thread.interrupt();
  }
}
