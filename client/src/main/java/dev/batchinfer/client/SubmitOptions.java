package dev.batchinfer.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a submit may say besides its inputs: {@code priority}, {@code callback_url}, {@code completion_window},
 * {@code metadata} and the rest of the native submit's fields, as the API names them. The same options go in a
 * JSON body or, for a streamed NDJSON upload, in the query.
 */
public record SubmitOptions(String model, Map<String, Object> fields) {

  public static SubmitOptions model(String model) {
    return new SubmitOptions(model, Map.of());
  }

  /** Another field of the submit (e.g. {@code "priority", "high"}). */
  public SubmitOptions with(String field, Object value) {
    Map<String, Object> f = new LinkedHashMap<>(fields);
    f.put(field, value);
    return new SubmitOptions(model, f);
  }

  /** A batch that takes more items by {@link Appends} until finalized (its inputs may be empty). */
  public SubmitOptions open() {
    return with("open", true);
  }

  public SubmitOptions priority(String priority) {
    return with("priority", priority);
  }

  public SubmitOptions callbackUrl(String url) {
    return with("callback_url", url);
  }
}
