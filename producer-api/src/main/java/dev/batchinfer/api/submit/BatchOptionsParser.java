package dev.batchinfer.api.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.config.Env;
import dev.batchinfer.config.callback.CallbackPolicy;
import dev.batchinfer.config.callback.RejectedCallbackException;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.store.batch.Retention;
import dev.batchinfer.topics.Topics;
import dev.batchinfer.topics.message.BatchEvent;
import dev.batchinfer.topics.message.Priority;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A batch's options (priority, callback, completion window, retention, metadata), read by one set of rules
 * whether they came as a JSON body's fields or as a streamed upload's query parameters. Each error names the
 * option where the client gave it: a JSON pointer ({@code /priority}) or the query parameter ({@code priority}).
 */
public final class BatchOptionsParser {

  static final int MAX_METADATA_BYTES = 16 * 1024;
  static final Duration MAX_WINDOW = Topics.MAX_COMPLETION_WINDOW;
  /** Query parameters that carry a streamed (NDJSON or raw) upload's batch options. */
  public static final List<String> QUERY_OPTIONS = List.of("model", "priority", "callback_url", "callback_events",
      "completion_window", "retention", "metadata", "on_deadline");

  /**
   * The options as given, before they are checked: text as the client wrote it, null where not given.
   *
   * @param callbackEvents each event type as given (null for a JSON value that is not a string)
   */
  record Given(String priority, String callbackUrl, List<String> callbackEvents, String completionWindow,
      String retention, JsonNode metadata, String onDeadline) {}

  private final ObjectMapper json;
  private final CallbackPolicy callbacks;

  public BatchOptionsParser(ObjectMapper json, CallbackPolicy callbacks) {
    this.json = json;
    this.callbacks = callbacks;
  }

  /** Where the client gave the options, which says how an error names one. */
  enum Source {
    JSON_BODY {
      @Override
      String field(String option) {
        return "/" + option;
      }

      @Override
      String element(String option, int index) {
        return "/" + option + "/" + index;
      }
    },
    QUERY {
      @Override
      String field(String option) {
        return option;
      }

      @Override
      String element(String option, int index) {
        return option;
      }
    };

    abstract String field(String option);

    abstract String element(String option, int index);
  }

  BatchOptions parse(ModelConfig model, Given given, Source source) {
    UnaryOperator<String> field = source::field;
    List<String> events = BatchEvent.DEFAULT_TYPES;
    if (given.callbackEvents() != null) {
      List<String> listed = new ArrayList<>();
      for (int i = 0; i < given.callbackEvents().size(); i++) {
        String type = given.callbackEvents().get(i);
        String at = source.element("callback_events", i);
        if (type == null || !BatchEvent.TYPES.contains(type)) {
          throw ApiException.invalid(at, "unknown event type " + (type == null ? "(not a string)" : type)
              + ": choose from " + String.join(", ", BatchEvent.TYPES));
        }
        if (!listed.contains(type)) {
          listed.add(type);
        }
      }
      events = List.copyOf(listed);
    }
    return new BatchOptions(model,
        given.priority() == null ? Priority.NORMAL : priority(given.priority(), field.apply("priority")),
        given.callbackUrl() == null ? null : callbackUrl(given.callbackUrl(), field.apply("callback_url")),
        events,
        given.metadata() == null ? null : metadata(given.metadata(), field.apply("metadata")),
        given.completionWindow() == null ? null
            : duration("completion_window", field.apply("completion_window"), MAX_WINDOW, given.completionWindow()),
        given.retention() == null ? null
            : duration("retention", field.apply("retention"), Retention.MAX_RETENTION, given.retention()),
        runPastDeadline(given.onDeadline(), field.apply("on_deadline")));
  }

  /**
   * The batch options of a streamed upload, from query parameters (each named in its error).
   *
   * @param query every query parameter; {@code allowedExtra} names those read elsewhere (dry_run)
   */
  public BatchOptions fromQuery(Map<String, List<String>> query, Function<String, ModelConfig> resolveModel,
      Set<String> allowedExtra) {
    for (var e : query.entrySet()) {
      if (!QUERY_OPTIONS.contains(e.getKey()) && !allowedExtra.contains(e.getKey())) {
        throw ApiException.invalid(e.getKey(), "unknown query parameter \"" + e.getKey()
            + "\": a streamed (NDJSON or raw) upload takes " + String.join(", ", QUERY_OPTIONS) + " (and dry_run)");
      }
      if (e.getValue().size() > 1) {
        throw ApiException.invalid(e.getKey(), "query parameter \"" + e.getKey() + "\" appears more than once: give it once");
      }
    }
    Function<String, String> one = name -> query.containsKey(name) ? query.get(name).get(0) : null;
    String modelId = one.apply("model");
    if (modelId == null || modelId.isBlank()) {
      throw ApiException.invalid("model", "missing query parameter \"model\": a streamed (NDJSON or raw) upload "
          + "names its model in the URL, e.g. /v1/batch/predict?model=language-id");
    }
    ModelConfig model = resolveModel.apply(modelId);
    String events = one.apply("callback_events");
    JsonNode metadata = null;
    if (one.apply("metadata") != null) {
      try {
        metadata = json.readTree(one.apply("metadata"));
      } catch (IOException e) {
        metadata = null;
      }
      if (metadata == null || !metadata.isObject()) {
        throw ApiException.invalid("metadata", "\"metadata\" must be a JSON object (URL-encoded), e.g. metadata=%7B%22run%22%3A1%7D");
      }
    }
    Given given = new Given(one.apply("priority"), one.apply("callback_url"),
        events == null ? null : java.util.Arrays.stream(events.split(",", -1)).map(String::strip).toList(),
        one.apply("completion_window"), one.apply("retention"), metadata, one.apply("on_deadline"));
    return parse(model, given, Source.QUERY);
  }

  /** "expire" (the default: items still queued at the deadline are answered expired) or "run" (they run anyway). */
  private static boolean runPastDeadline(String given, String field) {
    if (given == null || given.equals("expire")) {
      return false;
    }
    if (given.equals("run")) {
      return true;
    }
    throw ApiException.invalid(field, "unknown on_deadline \"" + given + "\": use expire (items still queued at the "
        + "deadline are answered expired) or run (they run anyway)");
  }

  private static Priority priority(String wire, String field) {
    return Priority.fromWire(wire).orElseThrow(() ->
        ApiException.invalid(field, "unknown priority \"" + wire + "\": use one of low, normal, high"));
  }

  /**
   * The SSRF guard's check of the URL's form and of any literal address. Host names are resolved
   * and checked again by the dispatcher at each attempt, against the address it then connects to.
   */
  private String callbackUrl(String url, String field) {
    try {
      callbacks.checkUrl(url);
      return url;
    } catch (RejectedCallbackException e) {
      throw ApiException.invalid(field, "\"callback_url\" " + e.getMessage() + ", got \"" + url + "\"");
    }
  }

  private static Duration duration(String name, String field, Duration max, String text) {
    Duration d = Env.parseDuration(text).orElseThrow(() -> ApiException.invalid(
        field, "\"" + name + "\" must be a duration such as 10m, 24h or 7d, got \"" + text + "\""));
    if (d.isZero() || d.compareTo(max) > 0) {
      throw ApiException.invalid(field, "\"" + name + "\" must be more than 0 and at most " + max.toDays() + "d");
    }
    return d;
  }

  private String metadata(JsonNode object, String field) {
    if (!object.isObject()) {
      throw ApiException.invalid(field, "\"metadata\" must be a JSON object");
    }
    String text;
    try {
      text = json.writeValueAsString(object);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    if (text.length() > MAX_METADATA_BYTES) {
      throw ApiException.invalid(field, "\"metadata\" is " + text.length() + " bytes; keep it under " + MAX_METADATA_BYTES);
    }
    return text;
  }
}
