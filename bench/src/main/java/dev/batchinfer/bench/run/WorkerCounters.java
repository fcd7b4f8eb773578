package dev.batchinfer.bench.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Two of a worker's own counters for one model version, read from its {@code GET /metrics}: the
 * items its micro-batches held and the padding rows added to reach an allowed batch size.
 */
public record WorkerCounters(double batchItems, double paddingRows) {

  /** Read from the worker's management port; counters are totals since the worker started. */
  public static WorkerCounters read(int metricsPort, String model, String version) {
    String text;
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      text = r.body();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the worker's metrics on port " + metricsPort, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return parse(text, model, version);
  }

  /** Sums each counter's lines labelled with the model and version (Prometheus text format). */
  static WorkerCounters parse(String text, String model, String version) {
    double items = 0;
    double padding = 0;
    String labels = "model=\"" + model + "\"";
    String versionLabel = "version=\"" + version + "\"";
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !line.contains(labels) || !line.contains(versionLabel)) {
        continue;
      }
      double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      if (line.startsWith("batchinfer_worker_microbatch_size_sum{")) {
        items += value;
      } else if (line.startsWith("batchinfer_worker_padding_items_total{")) {
        padding += value;
      }
    }
    return new WorkerCounters(items, padding);
  }

  public WorkerCounters plus(WorkerCounters other) {
    return new WorkerCounters(batchItems + other.batchItems, paddingRows + other.paddingRows);
  }

  /** What was counted between {@code before} and this reading. */
  public WorkerCounters since(WorkerCounters before) {
    return new WorkerCounters(batchItems - before.batchItems, paddingRows - before.paddingRows);
  }
}
