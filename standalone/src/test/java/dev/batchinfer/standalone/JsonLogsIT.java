package dev.batchinfer.standalone;

import static dev.batchinfer.api.testing.BatchRequest.aBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.BatchAssertions;
import dev.batchinfer.config.LogFormatEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The JSON log format (the encoder LOG_FORMAT=json selects): every line parses, and every line
 * about a batch carries its batch_id, tenant and request_id in its MDC, in every service, though
 * only the API saw the request: the worker, the progress topology and the dispatcher get them from
 * Kafka record headers.
 */
class JsonLogsIT {

  @Test
  void every_line_about_a_batch_names_it_and_its_tenant_and_request_in_every_service() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OutputStreamAppender<ILoggingEvent> appender = jsonAppender(out);
    Logger ours = (Logger) LoggerFactory.getLogger("dev.batchinfer");
    ours.addAppender(appender);
    // A healthy worker logs a chunk only at debug (a line per chunk is too many at its rate).
    Logger worker = (Logger) LoggerFactory.getLogger("dev.batchinfer.worker");
    ch.qos.logback.classic.Level workerLevel = worker.getLevel();
    worker.setLevel(ch.qos.logback.classic.Level.DEBUG);
    String id;
    try (WebhookReceiver receiver = new WebhookReceiver();
        TestSystem system = new TestSystem("json-logs", Map.of("CHUNK_MAX_ITEMS", "100"))) {
      system.withResultStore().withDispatcher().withApi();
      system.startWorker(system.workerSettings("json-logs-worker"));
      ApiClient api = system.api();
      id = api.submit(aBatch().withItems(200).withCallback(receiver.url()));
      BatchAssertions.assertThat(api.awaitFinal(id, Duration.ofMinutes(2))).isCompletedWith(200, 0);
      await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() == 1);
      await().atMost(Duration.ofSeconds(30)).until(() -> text(out).contains("\"webhook " + id));
    } finally {
      worker.setLevel(workerLevel);
      ours.detachAppender(appender);
      appender.stop();
    }

    List<JsonNode> lines = new ArrayList<>();
    for (String line : text(out).split("\n")) {
      lines.add(ApiClient.JSON.readTree(line)); // every line is one JSON object
    }
    List<JsonNode> about = lines.stream().filter(l -> l.path("formattedMessage").asText().contains(id)).toList();
    assertThat(about).as("lines naming the batch").isNotEmpty();
    assertThat(about).allSatisfy(l -> assertThat(l.at("/mdc/batch_id").asText()).as("%s", l).isEqualTo(id));
    assertThat(about).allSatisfy(l -> assertThat(l.at("/mdc/tenant").asText()).as("%s", l).isEqualTo("tenant-a"));
    String requestId = about.get(0).at("/mdc/request_id").asText();
    assertThat(requestId).isNotEmpty();
    assertThat(about).allSatisfy(l -> assertThat(l.at("/mdc/request_id").asText()).as("%s", l).isEqualTo(requestId));
    Set<String> services = about.stream().map(l -> l.path("loggerName").asText().split("\\.")[2])
        .collect(Collectors.toSet());
    assertThat(services).as("services that logged about the batch").contains("api", "worker", "progress", "callback");
  }

  private static OutputStreamAppender<ILoggingEvent> jsonAppender(ByteArrayOutputStream out) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LogFormatEncoder encoder = new LogFormatEncoder();
    encoder.setContext(context);
    encoder.setFormat("json");
    encoder.start();
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setOutputStream(out);
    appender.start();
    return appender;
  }

  private static String text(ByteArrayOutputStream out) {
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }
}
