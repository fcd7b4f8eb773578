package dev.batchinfer.standalone;

import static dev.batchinfer.api.testing.BatchRequest.aBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.api.testing.BatchAssertions;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One batch, one trace: the submit's span, each chunk's span on the worker, the progress
 * topology's spans and the webhook attempt's span share a trace id, carried in Kafka record
 * headers from service to service (and in the delivery's record in Redis to the attempt).
 */
class TraceIT {

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private OpenTelemetrySdk sdk;

  @BeforeEach
  void install() {
    GlobalOpenTelemetry.resetForTest();
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
    GlobalOpenTelemetry.set(sdk);
  }

  @AfterEach
  void uninstall() {
    sdk.close();
    GlobalOpenTelemetry.resetForTest();
  }

  @Test
  void a_batchs_spans_from_submit_to_webhook_are_one_trace() {
    try (WebhookReceiver receiver = new WebhookReceiver();
        TestSystem system = new TestSystem("trace", Map.of("CHUNK_MAX_ITEMS", "100"))) {
      system.withResultStore().withDispatcher().withApi();
      system.startWorker(system.workerSettings("trace-worker"));
      ApiClient api = system.api();

      String id = api.submit(aBatch().withItems(300).withCallback(receiver.url()));
      BatchAssertions.assertThat(api.awaitFinal(id, Duration.ofMinutes(2))).isCompletedWith(300, 0);
      await().atMost(Duration.ofSeconds(30)).until(() -> receiver.received().size() == 1);
      await().atMost(Duration.ofSeconds(30)).until(() -> named(id, "webhook batch.completed").size() == 1);

      SpanData submit = named(id, "POST /v1/batch/predict").get(0);
      String trace = submit.getTraceId();
      assertThat(named(id, "worker chunk")).hasSize(3)
          .allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(trace))
          .allSatisfy(s -> assertThat(s.getParentSpanId()).isEqualTo(submit.getSpanId()));
      assertThat(named(id, "progress ChunkFinished")).hasSizeGreaterThanOrEqualTo(3)
          .allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(trace));
      assertThat(named(id, "webhook batch.completed")).singleElement()
          .satisfies(s -> assertThat(s.getTraceId()).isEqualTo(trace));
      // Every span of the batch's own path (its status polls are requests of their own, each its own trace).
      Set<String> traces = spans.getFinishedSpanItems().stream().filter(s -> id.equals(batchOf(s)))
          .filter(s -> s.getKind() != io.opentelemetry.api.trace.SpanKind.SERVER || s == submit)
          .map(SpanData::getTraceId).collect(Collectors.toSet());
      assertThat(traces).as("every span of the batch's path").containsExactly(trace);
    }
  }

  private List<SpanData> named(String batchId, String name) {
    return spans.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals(name) && batchId.equals(batchOf(s))).toList();
  }

  private static String batchOf(SpanData s) {
    return s.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("batchinfer.batch_id"));
  }
}
