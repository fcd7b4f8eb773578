package dev.batchinfer.observability;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;

/**
 * The process's tracer. Off unless configured ({@link TracingSettings}): then it sends spans over
 * OTLP/HTTP to the collector, named after the service. Whether on or off, the trace context travels in
 * Kafka record headers, so a process that exports still joins the spans of one that does not only where
 * both trace.
 */
public final class Tracing {

  public static final String INSTRUMENTATION = "dev.batchinfer";

  private Tracing() {}

  /** Installs the process-wide OpenTelemetry the settings ask for; call once, from a main. */
  public static void install(TracingSettings settings) {
    if (!settings.otlp()) {
      return;
    }
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
            io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), settings.serviceName()))))
        .addSpanProcessor(BatchSpanProcessor.builder(
            OtlpHttpSpanExporter.builder().setEndpoint(settings.endpoint() + "/v1/traces").build()).build())
        .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(provider)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
    GlobalOpenTelemetry.set(sdk);
    Runtime.getRuntime().addShutdownHook(new Thread(sdk::close, "otel-flush"));
  }

  /** The trace context as one W3C {@code traceparent} value, to keep beside a record that outlives the call (null if none). */
  public static String traceparent(io.opentelemetry.context.Context context) {
    java.util.Map<String, String> carrier = new java.util.HashMap<>();
    W3CTraceContextPropagator.getInstance().inject(context, carrier, java.util.Map::put);
    return carrier.get("traceparent");
  }

  /** The context a kept {@code traceparent} names (the root context for null or a malformed value). */
  public static io.opentelemetry.context.Context fromTraceparent(String traceparent) {
    if (traceparent == null) {
      return io.opentelemetry.context.Context.root();
    }
    org.apache.kafka.common.header.internals.RecordHeaders carrier = new org.apache.kafka.common.header.internals.RecordHeaders();
    carrier.add("traceparent", traceparent.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return KafkaContext.trace(carrier); // the same W3C reading as a record's headers
  }

  public static OpenTelemetry get() {
    return GlobalOpenTelemetry.get();
  }

  public static Tracer tracer() {
    return GlobalOpenTelemetry.getTracer(INSTRUMENTATION);
  }
}
