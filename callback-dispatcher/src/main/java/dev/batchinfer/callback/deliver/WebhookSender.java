package dev.batchinfer.callback.deliver;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * POSTs a webhook once. Redirects are not followed (a redirect could point anywhere); at most a
 * few kB of the response is read, so a receiver cannot make us buffer a huge body.
 */
public final class WebhookSender {

  static final int MAX_RESPONSE_BYTES = 4096;

  private final HttpClient http;
  private final Duration timeout;

  public WebhookSender(Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  public Attempt send(Webhook hook) {
    long start = System.nanoTime();
    HttpRequest request = HttpRequest.newBuilder(URI.create(hook.url()))
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("User-Agent", "batch-inference-webhooks/1")
        .header("webhook-id", hook.id())
        .header("webhook-timestamp", Long.toString(hook.timestampSeconds()))
        .POST(HttpRequest.BodyPublishers.ofString(hook.body()))
        .build();
    try {
      HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        body.readNBytes(MAX_RESPONSE_BYTES); // drain a little so the connection can be reused
      }
      return new Attempt(response.statusCode(), null, Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException e) {
      return new Attempt(0, describe(e), Duration.ofNanos(System.nanoTime() - start));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Attempt(0, "interrupted", Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /** Java's connect errors often have no message; the exception type is then the useful part. */
  private static String describe(IOException e) {
    String type = e.getClass().getSimpleName();
    return e.getMessage() == null ? type : type + ": " + e.getMessage();
  }
}
