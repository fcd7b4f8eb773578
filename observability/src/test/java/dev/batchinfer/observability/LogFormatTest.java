package dev.batchinfer.observability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The services' logback.xml (in config): text by default, one JSON object a line with LOG_FORMAT=json. */
class LogFormatTest {

  @Test
  void json_lines_carry_the_batch_context_and_text_lines_name_the_batch() throws Exception {
    String json = logOneLine("json");
    JsonNode line = new ObjectMapper().readTree(logged(json, "{"));
    assertThat(line.path("formattedMessage").asText()).isEqualTo("batch b-1 queued");
    assertThat(line.at("/mdc/batch_id").asText()).isEqualTo("b-1");
    assertThat(line.at("/mdc/tenant").asText()).isEqualTo("tenant-a");
    assertThat(line.at("/mdc/request_id").asText()).isEqualTo("req-9");
    assertThat(line.path("level").asText()).isEqualTo("INFO");

    String text = logOneLine(null);
    assertThat(logged(text, "")).contains("[b-1] batch b-1 queued").doesNotStartWith("{");
  }

  /** The line the test logged; Logback's own status lines may come first on the same stream. */
  private static String logged(String output, String prefix) {
    return output.lines().filter(l -> l.startsWith(prefix) && l.contains("queued")).reduce((a, b) -> b).orElse("");
  }

  private static String logOneLine(String format) throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(org.slf4j.MDC.getMDCAdapter()); // the one LogContext writes to
    if (format != null) {
      context.putProperty("LOG_FORMAT", format);
    }
    PrintStream console = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
      try (LogContext.Scope scope = LogContext.open("b-1", "tenant-a", "req-9")) {
        context.getLogger("dev.batchinfer.api.Example").info("batch {} queued", "b-1");
      }
      context.stop();
    } finally {
      System.setOut(console);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
