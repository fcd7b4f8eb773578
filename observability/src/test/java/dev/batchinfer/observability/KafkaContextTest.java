package dev.batchinfer.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class KafkaContextTest {

  private static final SpanContext SUBMIT = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
      TraceFlags.getSampled(), TraceState.getDefault());

  @Test
  void trace_tenant_and_request_id_travel_in_headers_and_back() {
    RecordHeaders headers = new RecordHeaders();
    KafkaContext.inject(Context.root().with(Span.wrap(SUBMIT)), "tenant-a", "req-1", headers);

    assertThat(Span.fromContext(KafkaContext.trace(headers)).getSpanContext().getTraceId()).isEqualTo(SUBMIT.getTraceId());
    assertThat(Span.fromContext(KafkaContext.trace(headers)).getSpanContext().getSpanId()).isEqualTo(SUBMIT.getSpanId());
    assertThat(KafkaContext.tenant(headers)).isEqualTo("tenant-a");
    assertThat(KafkaContext.requestId(headers)).isEqualTo("req-1");
    try (LogContext.Scope scope = KafkaContext.logs("b-1", headers)) {
      assertThat(LogContext.get(LogContext.BATCH_ID)).isEqualTo("b-1");
      assertThat(LogContext.get(LogContext.REQUEST_ID)).isEqualTo("req-1");
    }
    assertThat(LogContext.get(LogContext.BATCH_ID)).as("restored when the scope closed").isNull();
  }

  @Test
  void a_record_of_an_older_service_without_headers_has_no_context() {
    RecordHeaders none = new RecordHeaders();
    assertThat(Span.fromContext(KafkaContext.trace(none)).getSpanContext().isValid()).isFalse();
    assertThat(KafkaContext.tenant(none)).isNull();
  }

  @Test
  void a_kept_traceparent_names_the_same_span() {
    String kept = Tracing.traceparent(Context.root().with(Span.wrap(SUBMIT)));
    assertThat(kept).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    assertThat(Span.fromContext(Tracing.fromTraceparent(kept)).getSpanContext().getSpanId()).isEqualTo(SUBMIT.getSpanId());
    assertThat(Span.fromContext(Tracing.fromTraceparent(null)).getSpanContext().isValid()).isFalse();
  }
}
