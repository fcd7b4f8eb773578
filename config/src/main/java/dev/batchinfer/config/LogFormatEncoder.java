package dev.batchinfer.config;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

/**
 * The services' log encoder: LOG_FORMAT=json writes one JSON object a line (Logback's JsonEncoder,
 * the message in "formattedMessage", the MDC's batch_id, tenant and request_id in "mdc"); anything
 * else the text pattern.
 * One encoder that switches, because Logback drops appenders a configuration does not name
 * literally, so an appender chosen by a variable is never built.
 */
public final class LogFormatEncoder extends EncoderBase<ILoggingEvent> {

  private String format = "text";
  private String pattern = "%msg%n";
  private Encoder<ILoggingEvent> delegate;

  public void setFormat(String format) {
    this.format = format;
  }

  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  @Override
  public void start() {
    if ("json".equalsIgnoreCase(format.trim())) {
      JsonEncoder json = new JsonEncoder();
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      json.setWithArguments(false);
      // The message as read ("batch 7f… queued"), not its template.
      json.setWithMessage(false);
      json.setWithFormattedMessage(true);
      delegate = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(pattern);
      delegate = text;
    }
    delegate.setContext(getContext());
    delegate.start();
    super.start();
  }

  @Override
  public void stop() {
    if (delegate != null) {
      delegate.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return delegate.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return delegate.encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return delegate.footerBytes();
  }
}
