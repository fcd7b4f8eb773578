package dev.batchinfer.store.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultMergeTest {

  private static final String OK = "\"result\":{\"label\":\"de\",\"score\":0.9}";

  @Test
  void a_retry_line_becomes_the_parent_line_of_its_parent_index_keeping_custom_id_and_answer() {
    String child = "{\"index\":3,\"custom_id\":\"row-7\",\"parent_index\":7," + OK + "}";
    assertThat(ResultMerge.asParentLine(child, "kid")).isEqualTo(
        "{\"index\":7,\"retried_in\":\"kid\",\"custom_id\":\"row-7\"," + OK + "}");
    assertThat(ResultMerge.asParentLine("{\"index\":0,\"parent_index\":12," + OK + "}", "kid"))
        .isEqualTo("{\"index\":12,\"retried_in\":\"kid\"," + OK + "}");
    assertThat(ResultMerge.asParentLine("{\"index\":0," + OK + "}", "kid")).isNull();
  }

  @Test
  void every_parent_index_appears_once_with_the_latest_retry_answer_where_there_is_one() {
    List<String> parent = List.of(
        "{\"index\":0," + OK + "}",
        "{\"index\":1,\"error\":{\"code\":\"invalid_input\",\"message\":\"x\"}}",
        "{\"index\":2,\"error\":{\"code\":\"cancelled\",\"message\":\"x\"}}",
        "{\"index\":3,\"error\":{\"code\":\"model_error\",\"message\":\"x\"}}");
    Map<Long, String> replacements = new HashMap<>();
    ResultMerge.collect(List.of("{\"index\":0,\"parent_index\":1,\"error\":{\"code\":\"model_error\",\"message\":\"y\"}}\n"
        + "{\"index\":1,\"parent_index\":2," + OK + "}\n"), "first", 0, 4, replacements);
    ResultMerge.collect(java.util.Arrays.asList(null, "{\"index\":0,\"parent_index\":1," + OK + "}\n"
        + "{\"index\":1,\"parent_index\":9," + OK + "}\n"), "second", 0, 4, replacements);

    List<String> merged = ResultMerge.apply(parent, replacements);

    assertThat(merged).extracting(ResultLines::indexOf).containsExactly(0L, 1L, 2L, 3L);
    assertThat(merged.get(0)).isEqualTo(parent.get(0));
    assertThat(merged.get(1)).contains("\"retried_in\":\"second\"").contains(OK);
    assertThat(merged.get(2)).contains("\"retried_in\":\"first\"").contains(OK);
    assertThat(merged.get(3)).isEqualTo(parent.get(3));
  }

  @Test
  void stored_lines_are_counted_as_their_chunk_done_counts_them() {
    String chunk = "{\"index\":0," + OK + "}\n{\"index\":1,\"error\":{\"code\":\"invalid_input\",\"message\":\"x\"}}\n"
        + "{\"index\":2,\"custom_id\":\"a\",\"error\":{\"code\":\"cancelled\",\"message\":\"x\"}}\n"
        + "{\"index\":3,\"error\":{\"code\":\"expired\",\"message\":\"x\"}}\n";
    assertThat(ResultLines.count(chunk)).containsExactly(1, 1, 2);
    assertThat(ResultLines.errorCode("{\"index\":2,\"custom_id\":\"a\",\"error\":{\"code\":\"cancelled\",\"message\":\"x\"}}"))
        .isEqualTo("cancelled");
  }
}
