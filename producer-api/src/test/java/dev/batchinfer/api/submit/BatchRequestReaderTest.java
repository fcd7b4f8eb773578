package dev.batchinfer.api.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.config.callback.CallbackPolicy;
import dev.batchinfer.topics.message.Priority;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchRequestReaderTest {

  private static final int CHUNK_MAX_ITEMS = 2;
  private static final int MAX_ITEMS = 10;
  private static final String ITEM = "{\"pixels\":[0,1,2,3]}";

  private static final String CONFIG = """
      model: tiny
      version: 1.0.0
      description: four-pixel test model
      signature: serving_default
      input:
        name: pixels
        dtype: uint8
        shape: [4]
        min: 0
        max: 255
      output:
        name: probabilities
        top_k: 2
        labels: [dark, light]
      batching:
        max_batch_size: 8
        preferred_batch_sizes: [4, 8]
      """;

  @TempDir
  static Path artifacts;

  private static BatchRequestReader reader;

  @BeforeAll
  static void catalog() throws IOException {
    Path dir = Files.createDirectories(artifacts.resolve("tiny").resolve("1.0.0"));
    Files.writeString(dir.resolve("config.yaml"), CONFIG);
    Path wide = Files.createDirectories(artifacts.resolve("wide").resolve("1.0.0"));
    Files.writeString(wide.resolve("config.yaml"), CONFIG.replace("model: tiny", "model: wide").replace("[4]", "[6]"));
    Path dim = Files.createDirectories(artifacts.resolve("dim").resolve("1.0.0"));
    Files.writeString(dim.resolve("config.yaml"), CONFIG.replace("model: tiny", "model: dim").replace("max: 255", "max: 127"));
    Path words = Files.createDirectories(artifacts.resolve("words").resolve("1.0.0"));
    Files.writeString(words.resolve("config.yaml"), CONFIG.replace("model: tiny", "model: words")
        .replace("dtype: uint8\n  shape: [4]\n  min: 0\n  max: 255", "dtype: string\n  shape: []\n  max_bytes: 64"));
    reader = new BatchRequestReader(new ObjectMapper(), ModelCatalog.load(artifacts), CHUNK_MAX_ITEMS, 1 << 20, MAX_ITEMS,
        new CallbackPolicy(true, List.of()));
  }

  private static ParsedBatch read(String body) {
    return reader.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
  }

  private static ApiException rejected(String body) {
    ApiException e = catchThrowableOfType(ApiException.class, () -> read(body));
    assertThat(e).as("rejection of %s", body).isNotNull();
    return e;
  }

  private static void assertInvalid(String body, String field) {
    ApiException e = rejected(body);
    assertThat(e.status()).as("status for %s (%s)", body, e.getMessage()).isEqualTo(400);
    assertThat(e.field()).as("field for %s (%s)", body, e.getMessage()).isEqualTo(field);
    assertThat(e.getMessage()).isNotBlank();
  }

  private static String items(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("{\"pixels\":[" + i + ",1,2,3]}");
    }
    return "[" + String.join(",", out) + "]";
  }

  /** Every item's payload, in chunk order. */
  private static List<String> payloads(ParsedBatch batch) {
    List<String> out = new ArrayList<>();
    for (Chunker.ChunkItems c : batch.chunks()) {
      for (int i = 0; i < c.size(); i++) {
        byte[] p = java.util.Arrays.copyOfRange(c.payloads(), c.offsets()[i], c.offsets()[i + 1]);
        out.add(c.indexes()[i] + ":" + java.util.Arrays.toString(p));
      }
    }
    return out;
  }

  @Test
  void a_valid_body_gives_the_model_the_total_and_chunks_of_encoded_inputs() {
    ParsedBatch batch = read("{\"model\":\"tiny\",\"inputs\":" + items(5) + "}");

    assertThat(batch.model().id()).isEqualTo("tiny@1.0.0");
    assertThat(batch.totalItems()).isEqualTo(5);
    assertThat(batch.priority()).isEqualTo(Priority.NORMAL);
    assertThat(batch.callbackUrl()).isNull();
    assertThat(batch.metadataJson()).isNull();
    assertThat(batch.chunks()).extracting(Chunker.ChunkItems::size).containsExactly(2, 2, 1);
    assertThat(payloads(batch)).containsExactly(
        "0:[0, 1, 2, 3]", "1:[1, 1, 2, 3]", "2:[2, 1, 2, 3]", "3:[3, 1, 2, 3]", "4:[4, 1, 2, 3]");
  }

  @Test
  void inputs_before_model_are_read_the_same_way() {
    ParsedBatch modelFirst = read("{\"model\":\"tiny\",\"inputs\":" + items(5) + ",\"priority\":\"low\"}");
    ParsedBatch inputsFirst = read("{\"inputs\":" + items(5) + ",\"priority\":\"low\",\"model\":\"tiny\"}");

    assertThat(inputsFirst.model().id()).isEqualTo("tiny@1.0.0");
    assertThat(inputsFirst.totalItems()).isEqualTo(modelFirst.totalItems());
    assertThat(inputsFirst.priority()).isEqualTo(Priority.LOW);
    assertThat(payloads(inputsFirst)).containsExactlyElementsOf(payloads(modelFirst));
  }

  @Test
  void priority_callback_url_and_metadata_are_taken_from_the_body() {
    ParsedBatch batch = read("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"priority\":\"high\","
        + "\"callback_url\":\"https://hooks.example.com/done?x=1\",\"metadata\":{\"job\":\"nightly\",\"n\":[1,2]}}");

    assertThat(batch.priority()).isEqualTo(Priority.HIGH);
    assertThat(batch.callbackUrl()).isEqualTo("https://hooks.example.com/done?x=1");
    assertThat(batch.metadataJson()).isEqualTo("{\"job\":\"nightly\",\"n\":[1,2]}");
  }

  @Test
  void null_callback_url_and_metadata_mean_none() {
    ParsedBatch batch = read("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"callback_url\":null,\"metadata\":null}");

    assertThat(batch.callbackUrl()).isNull();
    assertThat(batch.metadataJson()).isNull();
  }

  @Test
  void base64_inputs_are_accepted_and_encode_like_arrays() {
    String b64 = Base64.getEncoder().encodeToString(new byte[] {0, 1, 2, (byte) 255});

    ParsedBatch batch = read("{\"model\":\"tiny\",\"inputs\":[{\"pixels\":\"" + b64 + "\"},{\"pixels\":[0,1,2,255]}]}");

    assertThat(payloads(batch)).containsExactly("0:[0, 1, 2, -1]", "1:[0, 1, 2, -1]");
  }

  @Test
  void base64_is_read_alike_with_other_fields_around_it_repeated_or_unpadded() {
    String b64 = Base64.getEncoder().encodeToString(new byte[] {0, 1, 2, (byte) 255}); // "AAEC/w=="
    String unpadded = b64.replace("=", "");

    ParsedBatch batch = read("{\"model\":\"tiny\",\"inputs\":["
        + "{\"note\":{\"a\":[1,{\"b\":2}]},\"pixels\":\"" + b64 + "\",\"tag\":\"x\"},"
        + "{\"pixels\":\"" + unpadded + "\"},"
        + "{\"pixels\":[9,9,9,9],\"pixels\":\"" + b64 + "\"},"
        + "{\"pixels\":\"" + b64 + "\",\"pixels\":[4,5,6,7]}]}");

    // Fields besides the input are ignored; of a repeated field the last counts, as in a JSON tree.
    assertThat(payloads(batch)).containsExactly("0:[0, 1, 2, -1]", "1:[0, 1, 2, -1]", "2:[0, 1, 2, -1]",
        "3:[4, 5, 6, 7]");
  }

  @Test
  void base64_inputs_before_the_model_is_known_are_read_alike() {
    String b64 = Base64.getEncoder().encodeToString(new byte[] {0, 1, 2, (byte) 255});

    ParsedBatch batch = read("{\"inputs\":[{\"pixels\":\"" + b64 + "\"}],\"model\":\"tiny\"}");

    assertThat(payloads(batch)).containsExactly("0:[0, 1, 2, -1]");
  }

  @Test
  void nan_is_refused_with_what_to_send_and_no_parser_advice() {
    ApiException e = rejected("{\"model\":\"tiny\",\"inputs\":[{\"pixels\":[NaN,1,2,3]}]}");

    assertThat(e.status()).isEqualTo(400);
    assertThat(e.getMessage()).contains("not valid JSON at line 1").contains("'NaN'").contains("must be finite")
        .doesNotContain("JsonReadFeature");
  }

  @Test
  void invalid_base64_points_at_the_item_field_and_says_so() {
    ApiException e = rejected("{\"model\":\"tiny\",\"inputs\":[" + ITEM + ",{\"pixels\":\"AA*C/w==\"}]}");

    assertThat(e.status()).isEqualTo(400);
    assertThat(e.field()).isEqualTo("/inputs/1/pixels");
    assertThat(e.getMessage()).contains("input 1").contains("not valid base64");
  }

  @Test
  void an_item_whose_input_is_neither_string_nor_array_points_at_its_field() {
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[{\"pixels\":7}]}", "/inputs/0/pixels");
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[{\"other\":\"AAEC/w==\"}]}", "/inputs/0/pixels");
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[{}]}", "/inputs/0/pixels");
  }

  @Test
  void base64_of_the_wrong_length_points_at_the_item_field() {
    String b64 = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3});

    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + ",{\"pixels\":\"" + b64 + "\"}]}", "/inputs/1/pixels");
  }

  @Test
  void malformed_json_is_a_400_for_the_whole_body() {
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM, "");
    assertInvalid("{\"model\" \"tiny\"}", "");
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "]} trailing", "");
  }

  @Test
  void a_body_that_is_not_an_object_is_a_400_for_the_whole_body() {
    assertInvalid("[" + ITEM + "]", "");
    assertInvalid("\"tiny\"", "");
    assertInvalid("", "");
  }

  @Test
  void a_second_json_value_after_the_object_is_rejected() {
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "]} {}", "");
  }

  @Test
  void a_missing_model_points_at_model() {
    assertInvalid("{\"inputs\":[" + ITEM + "]}", "/model");
  }

  @Test
  void an_unknown_model_points_at_model_and_lists_the_available_ones() {
    ApiException e = rejected("{\"model\":\"huge\",\"inputs\":[" + ITEM + "]}");

    assertThat(e.status()).isEqualTo(400);
    assertThat(e.field()).isEqualTo("/model");
    assertThat(e.getMessage()).contains("huge").contains("tiny");
  }

  @Test
  void an_unknown_model_named_after_the_inputs_points_at_model() {
    assertInvalid("{\"inputs\":[" + ITEM + "],\"model\":\"huge\"}", "/model");
  }

  @Test
  void a_model_that_is_not_a_string_points_at_model() {
    assertInvalid("{\"model\":7,\"inputs\":[" + ITEM + "]}", "/model");
  }

  @Test
  void inputs_that_are_not_an_array_point_at_inputs() {
    assertInvalid("{\"model\":\"tiny\",\"inputs\":" + ITEM + "}", "/inputs");
    assertInvalid("{\"model\":\"tiny\",\"inputs\":null}", "/inputs");
    assertInvalid("{\"inputs\":\"abc\",\"model\":\"tiny\"}", "/inputs");
  }

  @Test
  void empty_or_missing_inputs_point_at_inputs() {
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[]}", "/inputs");
    assertInvalid("{\"inputs\":[],\"model\":\"tiny\"}", "/inputs");
    assertInvalid("{\"model\":\"tiny\"}", "/inputs");
  }

  @Test
  void an_item_of_the_wrong_length_points_at_its_field() {
    String body = "{\"model\":\"tiny\",\"inputs\":[" + ITEM + "," + ITEM + "," + ITEM + ",{\"pixels\":[1,2,3]}]}";

    assertInvalid(body, "/inputs/3/pixels");
  }

  @Test
  void a_bad_item_is_reported_at_its_index_when_inputs_come_before_model() {
    assertInvalid("{\"inputs\":[" + ITEM + ",{\"pixels\":[1,2,3,4,5]}],\"model\":\"tiny\"}", "/inputs/1/pixels");
  }

  @Test
  void a_value_out_of_range_points_at_the_value() {
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[{\"pixels\":[0,1,256,3]}]}", "/inputs/0/pixels/2");
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[{\"pixels\":[0,1,-1,3]}]}", "/inputs/0/pixels/2");
  }

  @Test
  void a_non_integer_value_points_at_the_value() {
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[{\"pixels\":[0,1.5,2,3]}]}", "/inputs/0/pixels/1");
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[{\"pixels\":[0,\"1\",2,3]}]}", "/inputs/0/pixels/1");
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[{\"pixels\":[0,null,2,3]}]}", "/inputs/0/pixels/1");
  }

  @Test
  void an_item_that_is_not_an_object_or_lacks_the_input_field_is_pointed_at() {
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + ",[0,1,2,3]]}", "/inputs/1");
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[{\"image\":[0,1,2,3]}]}", "/inputs/0/pixels");
  }

  @Test
  void an_unknown_priority_points_at_priority() {
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"priority\":\"urgent\"}", "/priority");
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"priority\":\"HIGH\"}", "/priority");
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"priority\":1}", "/priority");
  }

  @Test
  void a_callback_url_that_is_not_absolute_http_or_https_points_at_callback_url() {
    for (String url : List.of("ftp://example.com/x", "/relative/hook", "mailto:ops@example.com", "http://", "not a url",
        "javascript:alert(1)")) {
      assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"callback_url\":\"" + url + "\"}", "/callback_url");
    }
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"callback_url\":42}", "/callback_url");
  }

  @Test
  void an_http_callback_url_with_any_case_of_scheme_is_accepted() {
    assertThat(read("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"callback_url\":\"HTTP://hooks.example.com:8080/x\"}")
        .callbackUrl()).isEqualTo("HTTP://hooks.example.com:8080/x");
  }

  @Test
  void metadata_that_is_not_an_object_points_at_metadata() {
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"metadata\":\"note\"}", "/metadata");
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"metadata\":[1,2]}", "/metadata");
  }

  @Test
  void metadata_larger_than_its_limit_points_at_metadata() {
    String big = "x".repeat(BatchOptionsParser.MAX_METADATA_BYTES);

    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"metadata\":{\"note\":\"" + big + "\"}}", "/metadata");
  }

  @Test
  void an_unknown_top_level_field_is_named() {
    ApiException e = rejected("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"webhook\":\"https://x.example\"}");

    assertThat(e.status()).isEqualTo(400);
    assertThat(e.field()).isEqualTo("/webhook");
    assertThat(e.getMessage()).contains("webhook");
  }

  @Test
  void a_second_model_field_cannot_switch_the_batch_to_a_model_its_inputs_were_not_checked_against() {
    // The four-value items fit "tiny"; "wide" needs six values each.
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"model\":\"wide\"}", "/model");
    assertInvalid("{\"inputs\":[" + ITEM + "],\"model\":\"tiny\",\"model\":\"wide\"}", "/model");
  }

  @Test
  void a_second_inputs_field_is_rejected_rather_than_silently_replacing_the_first() {
    assertInvalid("{\"model\":\"tiny\",\"inputs\":" + items(3) + ",\"inputs\":" + items(1) + "}", "/inputs");
  }

  @Test
  void any_repeated_top_level_field_is_rejected() {
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"priority\":\"high\",\"priority\":\"low\"}",
        "/priority");
  }

  @Test
  void each_model_is_checked_against_its_own_input_shape() {
    assertThat(read("{\"model\":\"wide\",\"inputs\":[{\"pixels\":[1,2,3,4,5,6]}]}").model().id()).isEqualTo("wide@1.0.0");
    assertInvalid("{\"model\":\"wide\",\"inputs\":[" + ITEM + "]}", "/inputs/0/pixels");
  }

  @Test
  void more_inputs_than_allowed_is_a_413() {
    ApiException e = rejected("{\"model\":\"tiny\",\"inputs\":" + items(MAX_ITEMS + 1) + "}");

    assertThat(e.status()).isEqualTo(413);
    assertThat(e.field()).isEqualTo("/inputs");
  }

  @Test
  void more_inputs_than_allowed_before_the_model_is_also_a_413() {
    assertThat(rejected("{\"inputs\":" + items(MAX_ITEMS + 1) + ",\"model\":\"tiny\"}").status()).isEqualTo(413);
  }

  @Test
  void exactly_the_maximum_number_of_inputs_is_accepted() {
    ParsedBatch batch = read("{\"model\":\"tiny\",\"inputs\":" + items(MAX_ITEMS) + "}");

    assertThat(batch.totalItems()).isEqualTo(MAX_ITEMS);
    assertThat(batch.chunks()).hasSize(MAX_ITEMS / CHUNK_MAX_ITEMS);
  }

  @Test
  void callback_events_are_validated_and_default_to_the_final_states() {
    assertThat(read("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "]}").callbackEvents())
        .contains("batch.completed", "batch.failed").doesNotContain("progress.25");
    assertThat(read("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"callback_events\":[\"progress.50\",\"batch.completed\"]}")
        .callbackEvents()).containsExactly("progress.50", "batch.completed");
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"callback_events\":[\"batch.completed\",\"progress.33\"]}",
        "/callback_events/1");
    assertInvalid("{\"model\":\"tiny\",\"inputs\":[" + ITEM + "],\"callback_events\":\"batch.completed\"}", "/callback_events");
  }

  // ------------------------------------------------------------------ NDJSON

  private static dev.batchinfer.models.ModelConfig tiny() {
    return ModelCatalog.load(artifacts).resolve("tiny").orElseThrow();
  }

  private static Upload ndjson(String body, List<Chunker.ChunkItems> sink, boolean dryRun) {
    return reader.readNdjson(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), tiny(),
        reader.newChunker(tiny(), sink::add), 1000, dryRun);
  }

  private static ApiException ndjsonRejected(String body) {
    ApiException e = catchThrowableOfType(ApiException.class, () -> ndjson(body, new ArrayList<>(), false));
    assertThat(e).as("rejection of %s", body).isNotNull();
    return e;
  }

  @Test
  void ndjson_lines_are_wrapped_or_bare_inputs_and_chunks_go_to_the_sink_as_they_fill() {
    List<Chunker.ChunkItems> sent = new ArrayList<>();
    Upload upload = ndjson("""
        {"input": {"pixels": [1,2,3,4]}, "custom_id": "a"}
        {"pixels": [5,6,7,8]}

        {"input": {"pixels": [9,9,9,9]}}
        """, sent, false);
    assertThat(upload.items()).isEqualTo(3);
    assertThat(upload.chunks()).isEqualTo(2);
    assertThat(upload.inputBytes()).isEqualTo(12);
    assertThat(sent).extracting(Chunker.ChunkItems::size).containsExactly(2, 1);
    assertThat(sent.get(0).customIds()).containsExactly("a", null);
    assertThat(sent.get(1).customIds()).isNull();
    assertThat(sent.get(1).indexes()).containsExactly(2);
  }

  @Test
  void an_invalid_ndjson_line_is_named_by_its_number_and_field() {
    ApiException e = ndjsonRejected("{\"pixels\":[1,2,3,4]}\n{\"pixels\":[1,2,3,4]}\n{\"input\":{\"pixels\":[1,2,300,4]}}\n");
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.extensions()).containsEntry("line", 3);
    assertThat(e.field()).isEqualTo("/input/pixels/2");
    assertThat(e.getMessage()).startsWith("line 3:");
  }

  @Test
  void broken_json_two_values_on_a_line_and_a_value_over_two_lines_are_refused_by_line() {
    assertThat(ndjsonRejected("{\"pixels\":[1,2,3,4]}\n{\"pixels\":[1,2,\n").extensions()).containsEntry("line", 3);
    ApiException two = ndjsonRejected("{\"pixels\":[1,2,3,4]}\n{\"pixels\":[1,2,3,4]} {\"pixels\":[1,2,3,4]}\n");
    assertThat(two.extensions()).containsEntry("line", 2);
    assertThat(two.getMessage()).contains("more than one JSON value");
    ApiException split = ndjsonRejected("{\"pixels\":\n[1,2,3,4]}\n");
    assertThat(split.extensions()).containsEntry("line", 1);
    assertThat(ndjsonRejected("\n\n").getMessage()).contains("no lines");
  }

  @Test
  void a_repeated_custom_id_is_422_naming_both_lines_and_a_dry_run_lists_it_instead() {
    String body = """
        {"input": {"pixels": [1,2,3,4]}, "custom_id": "x"}
        {"input": {"pixels": [1,2,3,4]}, "custom_id": "y"}
        {"input": {"pixels": [1,2,3,4]}, "custom_id": "x"}
        """;
    ApiException e = ndjsonRejected(body);
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.extensions()).containsEntry("line", 3).containsEntry("first_line", 1).containsEntry("custom_id", "x");

    Upload dry = ndjson(body, new ArrayList<>(), true);
    assertThat(dry.duplicateCount()).isEqualTo(1);
    assertThat(dry.duplicates()).containsExactly(new Upload.Duplicate("x", 3, 1));
  }

  @Test
  void a_custom_id_must_be_a_short_string() {
    assertThat(ndjsonRejected("{\"input\":{\"pixels\":[1,2,3,4]},\"custom_id\":7}").field()).isEqualTo("/custom_id");
    String tooLong = "k".repeat(NdjsonReader.MAX_CUSTOM_ID_CHARS + 1);
    assertThat(ndjsonRejected("{\"input\":{\"pixels\":[1,2,3,4]},\"custom_id\":\"" + tooLong + "\"}").extensions())
        .containsEntry("line", 1);
  }

  @Test
  void a_line_whose_input_fits_a_chunk_only_without_its_custom_id_is_a_400_naming_the_line() {
    // Chunks bounded so that exactly one tiny input (4 bytes) fits, with no room for a custom id.
    int overhead = (1 << 20) - reader.newChunker(tiny(), null).maxItemBytes();
    BatchRequestReader tight = new BatchRequestReader(new ObjectMapper(), ModelCatalog.load(artifacts), CHUNK_MAX_ITEMS,
        overhead + 4, MAX_ITEMS, new CallbackPolicy(true, List.of()));
    String body = "{\"pixels\":[1,2,3,4]}\n{\"input\":{\"pixels\":[1,2,3,4]},\"custom_id\":\"a\"}\n";
    ApiException e = catchThrowableOfType(ApiException.class, () -> tight.readNdjson(
        new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), tiny(), tight.newChunker(tiny(), c -> { }),
        1000, false));
    assertThat(e).isNotNull();
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.extensions()).containsEntry("line", 2);
    assertThat(e.getMessage()).startsWith("line 2 ").contains("custom_id");
  }

  @Test
  void ndjson_options_come_from_query_parameters_and_errors_name_them() {
    java.util.function.Function<String, dev.batchinfer.models.ModelConfig> resolve = m -> tiny();
    BatchOptions o = reader.readOptions(java.util.Map.of("model", List.of("tiny"), "priority", List.of("low"),
        "completion_window", List.of("2h"), "callback_events", List.of("batch.completed,progress.50"),
        "metadata", List.of("{\"run\":1}")), resolve, java.util.Set.of());
    assertThat(o.priority()).isEqualTo(Priority.LOW);
    assertThat(o.completionWindow()).hasHours(2);
    assertThat(o.callbackEvents()).containsExactly("batch.completed", "progress.50");
    assertThat(o.metadataJson()).isEqualTo("{\"run\":1}");
    for (var bad : List.of(
        java.util.Map.of("priority", List.of("low")),
        java.util.Map.of("model", List.of("tiny"), "priority", List.of("urgent")),
        java.util.Map.of("model", List.of("tiny"), "retention", List.of("forever")),
        java.util.Map.of("model", List.of("tiny"), "metadata", List.of("[1]")),
        java.util.Map.of("model", List.of("tiny"), "prioirty", List.of("low")))) {
      ApiException e = catchThrowableOfType(ApiException.class, () -> reader.readOptions(bad, resolve, java.util.Set.of()));
      assertThat(e.status()).isEqualTo(400);
      // Each names the parameter at fault (the missing one, when model is missing).
      assertThat(bad.containsKey("model") ? bad.keySet() : java.util.Set.of("model")).contains(e.field());
      assertThat(e.field()).isNotEqualTo(bad.containsKey("model") ? "model" : "priority");
    }
  }

  // ------------------------------------------------------------------ raw uploads

  private static Upload raw(String model, byte[] body, List<Chunker.ChunkItems> sink, long maxItems) {
    dev.batchinfer.models.ModelConfig m = ModelCatalog.load(artifacts).resolve(model).orElseThrow();
    return reader.readRaw(new ByteArrayInputStream(body), m, reader.newChunker(m, sink::add), maxItems);
  }

  private static ApiException rawRejected(String model, byte[] body, long maxItems) {
    ApiException e = catchThrowableOfType(ApiException.class, () -> raw(model, body, new ArrayList<>(), maxItems));
    assertThat(e).as("rejection of %d raw bytes for %s", body.length, model).isNotNull();
    return e;
  }

  @Test
  void a_raw_body_is_cut_into_inputs_of_the_models_size_and_chunked_in_order() {
    List<Chunker.ChunkItems> sink = new ArrayList<>();
    byte[] body = {0, 1, 2, 3, 10, 11, 12, 13, (byte) 200, (byte) 201, (byte) 202, (byte) 255};

    Upload upload = raw("tiny", body, sink, 1000);

    assertThat(upload.items()).isEqualTo(3);
    assertThat(upload.inputBytes()).isEqualTo(12);
    assertThat(upload.chunks()).isEqualTo(2); // CHUNK_MAX_ITEMS = 2
    List<String> got = new ArrayList<>();
    for (Chunker.ChunkItems c : sink) {
      for (int i = 0; i < c.size(); i++) {
        got.add(c.indexes()[i] + ":" + java.util.Arrays.toString(
            java.util.Arrays.copyOfRange(c.payloads(), c.offsets()[i], c.offsets()[i + 1])));
      }
    }
    assertThat(got).containsExactly("0:[0, 1, 2, 3]", "1:[10, 11, 12, 13]", "2:[-56, -55, -54, -1]");
  }

  @Test
  void a_raw_body_that_is_not_whole_inputs_is_400_naming_the_partial_input() {
    ApiException e = rawRejected("tiny", new byte[] {1, 2, 3, 4, 5, 6}, 1000);

    assertThat(e.status()).isEqualTo(400);
    assertThat(e.extensions()).containsEntry("item", 1L);
    assertThat(e.getMessage()).contains("2 bytes of input 1").contains("whole inputs of 4 bytes");
  }

  @Test
  void an_empty_raw_body_is_400_saying_what_to_send() {
    ApiException e = rawRejected("tiny", new byte[0], 1000);

    assertThat(e.status()).isEqualTo(400);
    assertThat(e.getMessage()).contains("empty").contains("4 bytes each");
  }

  @Test
  void a_raw_input_out_of_the_models_range_is_400_naming_its_index_and_value() {
    ApiException e = rawRejected("dim", new byte[] {1, 2, 3, 4, 5, 6, (byte) 128, 8}, 1000);

    assertThat(e.status()).isEqualTo(400);
    assertThat(e.extensions()).containsEntry("item", 1L);
    assertThat(e.getMessage()).startsWith("input 1: value 2 is 128");
  }

  @Test
  void more_raw_inputs_than_allowed_is_413() {
    ApiException e = rawRejected("tiny", new byte[12], 2);

    assertThat(e.status()).isEqualTo(413);
    assertThat(e.extensions()).containsEntry("item", 2L);
  }

  @Test
  void a_raw_upload_for_a_text_model_is_415_pointing_at_the_content_type() {
    ApiException e = rawRejected("words", "hello".getBytes(StandardCharsets.UTF_8), 1000);

    assertThat(e.status()).isEqualTo(415);
    assertThat(e.field()).isEqualTo("Content-Type");
    assertThat(e.getMessage()).contains("send JSON or NDJSON");
  }
}
