package dev.batchinfer.observability;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A batch's context in Kafka record headers, from service to service: the trace ({@code traceparent},
 * {@code tracestate}, W3C) and what log lines name ({@code bi-tenant}, {@code bi-request-id}; the
 * batch id is the record key). Old records without them read as no context.
 */
public final class KafkaContext {

  public static final String TENANT = "bi-tenant";
  public static final String REQUEST_ID = "bi-request-id";

  // Always W3C, whatever the process's own tracer: the headers are a wire format between services.
  private static final TextMapPropagator PROPAGATOR = W3CTraceContextPropagator.getInstance();
  private static final TextMapSetter<Headers> SETTER = (headers, key, value) -> {
    headers.remove(key);
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  };
  private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers headers) {
      List<String> keys = new ArrayList<>();
      headers.forEach(h -> keys.add(h.key()));
      return keys;
    }

    @Override
    public String get(Headers headers, String key) {
      return headers == null ? null : text(headers.lastHeader(key));
    }
  };

  private KafkaContext() {}

  /** Writes the current trace context and the MDC's tenant and request id into {@code headers}. */
  public static Headers inject(Headers headers) {
    return inject(Context.current(), LogContext.get(LogContext.TENANT), LogContext.get(LogContext.REQUEST_ID), headers);
  }

  public static Headers inject(Context trace, String tenant, String requestId, Headers headers) {
    PROPAGATOR.inject(trace, headers, SETTER);
    if (tenant != null) {
      SETTER.set(headers, TENANT, tenant);
    }
    if (requestId != null) {
      SETTER.set(headers, REQUEST_ID, requestId);
    }
    return headers;
  }

  /** The trace context the headers carry (the root context if none). */
  public static Context trace(Headers headers) {
    return PROPAGATOR.extract(Context.root(), headers, GETTER);
  }

  public static String tenant(Headers headers) {
    return GETTER.get(headers, TENANT);
  }

  public static String requestId(Headers headers) {
    return GETTER.get(headers, REQUEST_ID);
  }

  /** The log context of a record about {@code batchId}. */
  public static LogContext.Scope logs(String batchId, Headers headers) {
    return LogContext.open(batchId, tenant(headers), requestId(headers));
  }

  private static String text(Header h) {
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
