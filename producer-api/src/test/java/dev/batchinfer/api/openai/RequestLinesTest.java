package dev.batchinfer.api.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestLinesTest {

  private static final String EP = "/v1/models/fashion-mnist/predict";
  private final RequestLines lines = new RequestLines(new ObjectMapper());

  private static java.util.Iterator<StoredLines.Line> of(String... text) {
    List<StoredLines.Line> out = new ArrayList<>();
    for (int i = 0; i < text.length; i++) {
      out.add(new StoredLines.Line(i + 1, text[i]));
    }
    return out.iterator();
  }

  private static String line(String id, String url) {
    return "{\"custom_id\":\"" + id + "\",\"method\":\"POST\",\"url\":\"" + url + "\",\"body\":{\"inputs\":[1]}}";
  }

  @Test
  void a_valid_file_has_no_errors_and_counts_its_lines() {
    RequestLines.Verdict v = lines.validate(of(line("a", EP), line("b", EP)), EP, 10);
    assertThat(v.errors()).isEmpty();
    assertThat(v.lines()).isEqualTo(2);
  }

  @Test
  void each_structural_fault_is_named_with_openais_code_and_its_line() {
    RequestLines.Verdict v = lines.validate(of(
        line("a", EP),
        "not json",
        "[1,2]",
        "{\"custom_id\":\"c\",\"method\":\"POST\",\"url\":\"" + EP + "\"}",
        "{\"custom_id\":\"d\",\"method\":\"GET\",\"url\":\"" + EP + "\",\"body\":{}}",
        line("e", "/v1/models/other/predict"),
        line("a", EP),
        "{\"custom_id\":7,\"method\":\"POST\",\"url\":\"" + EP + "\",\"body\":{}}"), EP, 100);
    assertThat(v.errors()).extracting(RequestLines.LineError::code, RequestLines.LineError::line).containsExactly(
        org.assertj.core.groups.Tuple.tuple("invalid_json_line", 2L),
        org.assertj.core.groups.Tuple.tuple("invalid_json_line", 3L),
        org.assertj.core.groups.Tuple.tuple("missing_required_parameter", 4L),
        org.assertj.core.groups.Tuple.tuple("invalid_method", 5L),
        org.assertj.core.groups.Tuple.tuple("mismatched_endpoint", 6L),
        org.assertj.core.groups.Tuple.tuple("duplicate_custom_id", 7L),
        org.assertj.core.groups.Tuple.tuple("invalid_custom_id", 8L));
    assertThat(v.errors().get(5).message()).contains("already used on line 1");
    assertThat(v.errorCount()).isEqualTo(7);
  }

  @Test
  void an_empty_file_and_one_over_the_line_limit_are_refused() {
    assertThat(lines.validate(of(), EP, 10).errors()).extracting(RequestLines.LineError::code).containsExactly("empty_file");
    assertThat(lines.validate(of(line("a", EP), line("b", EP), line("c", EP)), EP, 2).errors())
        .extracting(RequestLines.LineError::code).containsExactly("too_many_tasks");
  }
}
