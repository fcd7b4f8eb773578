package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Reading the API's JSON into the client's types: arrays into lists, ISO-8601 strings into instants. */
final class Parse {

  private Parse() {}

  /** Each element of an array as {@code each} makes it, in order; empty if the node is missing, null or no array. */
  static <T> List<T> list(JsonNode array, Function<JsonNode, T> each) {
    List<T> out = new ArrayList<>();
    array.forEach(e -> out.add(each.apply(e)));
    return List.copyOf(out);
  }

  /** An ISO instant, or null if absent or not one. */
  static Instant instant(JsonNode n) {
    if (!n.isTextual()) {
      return null;
    }
    try {
      return Instant.parse(n.asText());
    } catch (DateTimeParseException notAnInstant) {
      return null;
    }
  }
}
