package dev.batchinfer.api.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.batchinfer.api.problem.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CancelHandlerTest {

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "{}", " { } ", "null", "null\n"})
  void no_body_an_empty_object_or_null_cancel_the_whole_batch(String body) {
    assertThat(CancelHandler.customIds(body)).isNull();
  }

  @Test
  void custom_ids_cancel_only_those_items_each_once() {
    assertThat(CancelHandler.customIds("{\"custom_ids\":[\"a\",\"b\",\"a\"]}")).containsExactly("a", "b");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "{\"custom_ids\":[]}", "{\"ids\":[\"a\"]}", "{\"custom_ids\":[1]}", "{", "\"a\""})
  void anything_else_is_a_400(String body) {
    ApiException e = catchThrowableOfType(ApiException.class, () -> CancelHandler.customIds(body));
    assertThat(e).as(body).isNotNull();
    assertThat(e.status()).isEqualTo(400);
  }
}
