package dev.batchinfer.api.metrics;

import dev.batchinfer.observability.LogContext;
import dev.batchinfer.observability.Tracing;
import io.javalin.http.Context;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * A request's context for as long as it runs: its server span (current, so the chunks it publishes
 * carry it to the worker) and the log context (request id; the tenant once authenticated; the batch
 * a path names). Jetty reuses its threads, so the end of every request clears both.
 */
public final class RequestContext {

  private static final String SPAN = "otel-span";
  private static final String SCOPE = "otel-scope";
  private static final Pattern BATCH_PATH = Pattern.compile("^/v1/batch/([^/]+)/");

  private RequestContext() {}

  /** A before-handler, after the request id is known. */
  public static void begin(Context ctx, String requestId) {
    MDC.clear();
    LogContext.put(LogContext.REQUEST_ID, requestId);
    Matcher m = BATCH_PATH.matcher(ctx.path());
    if (m.find()) {
      LogContext.put(LogContext.BATCH_ID, m.group(1));
    }
    Span span = Tracing.tracer().spanBuilder(ctx.method().name()).setSpanKind(SpanKind.SERVER)
        .setAttribute("http.request.method", ctx.method().name()).setAttribute("url.path", ctx.path())
        .setAttribute("batchinfer.request_id", requestId).startSpan();
    ctx.attribute(SPAN, span);
    ctx.attribute(SCOPE, span.makeCurrent());
  }

  /** Once the answer is written (Javalin's request logger), on the request's thread. */
  public static void end(Context ctx, String route) {
    Span span = ctx.attribute(SPAN);
    Scope scope = ctx.attribute(SCOPE);
    if (span != null) {
      span.updateName(ctx.method().name() + " " + route);
      span.setAttribute("http.route", route);
      span.setAttribute("http.response.status_code", ctx.statusCode());
      String batch = LogContext.get(LogContext.BATCH_ID);
      if (batch != null) {
        span.setAttribute("batchinfer.batch_id", batch);
      }
      if (ctx.statusCode() >= 500) {
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    }
    if (scope != null) {
      scope.close();
    }
    MDC.clear();
  }
}
