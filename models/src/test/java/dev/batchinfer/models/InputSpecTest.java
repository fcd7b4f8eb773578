package dev.batchinfer.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputSpecTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final InputSpec PIXELS = new InputSpec("pixels", "uint8", List.of(4), 0.0, 255.0);
  private static final InputSpec FLOATS = new InputSpec("x", "float32", List.of(2), -1.0, 1.0);

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void uint8_array_encodes_to_one_byte_per_value() throws Exception {
    assertThat(PIXELS.encode(json("{\"pixels\":[0,1,128,255]}"))).containsExactly(0, 1, (byte) 128, (byte) 255);
  }

  @Test
  void uint8_base64_is_accepted_as_the_same_bytes() throws Exception {
    String b64 = Base64.getEncoder().encodeToString(new byte[] {0, 1, (byte) 128, (byte) 255});
    assertThat(PIXELS.encode(json("{\"pixels\":\"" + b64 + "\"}"))).containsExactly(0, 1, (byte) 128, (byte) 255);
  }

  @Test
  void wrong_length_names_the_field_and_the_expected_shape() {
    assertThatThrownBy(() -> PIXELS.encode(json("{\"pixels\":[1,2,3]}")))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.pointer()).isEqualTo("/pixels"))
        .hasMessageContaining("3 values")
        .hasMessageContaining("4 integers from 0 to 255");
  }

  @Test
  void out_of_range_and_non_integer_values_name_their_position() {
    assertThatThrownBy(() -> PIXELS.encode(json("{\"pixels\":[0,1,256,3]}")))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.pointer()).isEqualTo("/pixels/2"))
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> PIXELS.encode(json("{\"pixels\":[0,1.5,2,3]}")))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.pointer()).isEqualTo("/pixels/1"));
    assertThatThrownBy(() -> PIXELS.encode(json("{\"pixels\":[0,\"a\",2,3]}")))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.pointer()).isEqualTo("/pixels/1"));
  }

  @Test
  void missing_field_and_non_object_items_are_rejected() {
    assertThatThrownBy(() -> PIXELS.encode(json("{\"pixel\":[0,1,2,3]}"))).hasMessageContaining("missing field \"pixels\"");
    assertThatThrownBy(() -> PIXELS.encode(json("[0,1,2,3]"))).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void float32_encodes_little_endian_and_the_worker_check_rejects_nan() throws Exception {
    byte[] bytes = FLOATS.encode(json("{\"x\":[0.5,-1]}"));
    ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(le.getFloat()).isEqualTo(0.5f);
    assertThat(le.getFloat()).isEqualTo(-1f);
    assertThat(FLOATS.checkPayload(ByteBuffer.wrap(bytes))).isNull();

    ByteBuffer nan = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(Float.NaN).putFloat(0f);
    assertThat(FLOATS.checkPayload(nan.flip())).contains("NaN");
  }

  @Test
  void worker_check_rejects_a_payload_of_the_wrong_size() {
    assertThat(PIXELS.checkPayload(ByteBuffer.wrap(new byte[3]))).contains("3 bytes").contains("needs 4");
    assertThat(PIXELS.checkPayload(ByteBuffer.wrap(new byte[4]))).isNull();
  }

  private static final InputSpec TEXT = new InputSpec("text", "string", List.of(), null, null, 16);

  @Test
  void a_string_input_encodes_to_its_utf8_bytes_within_the_limit() throws Exception {
    assertThat(TEXT.encode(json("{\"text\":\"Grüße\"}"))).isEqualTo("Grüße".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(TEXT.payloadBytes()).isEqualTo(-1);
    assertThatThrownBy(() -> TEXT.encode(json("{\"text\":\"\"}"))).hasMessageContaining("non-empty string");
    assertThatThrownBy(() -> TEXT.encode(json("{\"text\":42}"))).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> TEXT.encode(json("{\"text\":\"" + "x".repeat(17) + "\"}"))).hasMessageContaining("17 bytes");
  }

  @Test
  void the_worker_check_of_a_string_rejects_invalid_utf8_and_oversized_payloads() {
    assertThat(TEXT.checkPayload(ByteBuffer.wrap("hello".getBytes()))).isNull();
    assertThat(TEXT.checkPayload(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xfe}))).contains("UTF-8");
    assertThat(TEXT.checkPayload(ByteBuffer.wrap(new byte[17]))).contains("17 bytes");
    assertThat(TEXT.checkPayload(ByteBuffer.wrap(new byte[0]))).isNotNull();
  }
}
