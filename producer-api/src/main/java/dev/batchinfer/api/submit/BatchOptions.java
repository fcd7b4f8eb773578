package dev.batchinfer.api.submit;

import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.topics.message.Priority;
import java.time.Duration;
import java.util.List;

/**
 * Everything about a batch but its inputs: from a JSON body's fields, or from the query parameters
 * of a streamed (NDJSON or raw) upload.
 *
 * @param completionWindow null for the default
 * @param retention null for the default
 * @param runPastDeadline {@code "on_deadline": "run"}: items still queued at the deadline run anyway (and are
 *     counted as run after it) instead of being answered expired
 * @param open {@code "open": true}: the batch takes appends until it is finalized
 */
public record BatchOptions(
    ModelConfig model,
    Priority priority,
    String callbackUrl,
    List<String> callbackEvents,
    String metadataJson,
    Duration completionWindow,
    Duration retention,
    boolean runPastDeadline,
    boolean open) {

  public BatchOptions(ModelConfig model, Priority priority, String callbackUrl, List<String> callbackEvents,
      String metadataJson, Duration completionWindow, Duration retention, boolean runPastDeadline) {
    this(model, priority, callbackUrl, callbackEvents, metadataJson, completionWindow, retention, runPastDeadline,
        false);
  }

  /** These options for a batch that takes appends. */
  public BatchOptions opened() {
    return new BatchOptions(model, priority, callbackUrl, callbackEvents, metadataJson, completionWindow, retention,
        runPastDeadline, true);
  }
}
