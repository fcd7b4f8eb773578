package dev.batchinfer.store;

import dev.batchinfer.topics.message.Priority;

/**
 * Every Redis key and hash field this system writes: the one catalogue, so the schema is read in one
 * place and nothing builds a key by hand ({@code RedisSchemaTest} scans the sources for that).
 *
 * <p>Sharding: keys of one batch share the hash tag {@code {batchId}}, a tenant's keys {@code {tenant}}, a
 * model's {@code {model}}, so every multi-key command and script touches one Redis Cluster slot. The few
 * global keys (queues, deadlines, pending batches, due webhooks) are each one sorted set.
 *
 * <p>Over 300 lines by design: the schema is only readable and checkable as one catalogue, so it is not split.
 */
public record RedisKeys(String prefix) {

  // ---- one batch: {batchId}

  /** Hash: the batch record ({@link BatchField}). */
  public String batch(String batchId) {
    return prefix + "batch:{" + batchId + "}";
  }

  /** Hash: chunk index → that chunk's results as NDJSON, one line per item in input order. */
  public String results(String batchId) {
    return batch(batchId) + ":results";
  }

  /** Hash: custom id → item index, for cancelling items by id. */
  public String customIds(String batchId) {
    return batch(batchId) + ":custom-ids";
  }

  /**
   * Hash: chunk index → the encoded inputs of that chunk's items that ended without a result (a
   * chunk record in the binary chunk format), so a retry can run exactly those again.
   */
  public String failedInputs(String batchId) {
    return batch(batchId) + ":failed-inputs";
  }

  /** Set: the indexes (decimal) of the items cancelled one by one, by custom id. */
  public String cancelledItems(String batchId) {
    return batch(batchId) + ":cancelled-items";
  }

  /** Hash: chunk index → the chunk record (binary chunk format) a worker set aside while the batch was paused. */
  public String parkedChunks(String batchId) {
    return batch(batchId) + ":parked";
  }

  /**
   * Set: the chunk indexes (decimal) copied to the request topic of the batch's new priority: workers drop the
   * original of a chunk listed here when they reach it.
   */
  public String movedChunks(String batchId) {
    return batch(batchId) + ":moved";
  }

  /** Sorted set: batch ids with parked chunks → when the first was parked (ms); the release sweep reads it. */
  public String parkedBatches() {
    return prefix + "parked-batches";
  }

  /** String with a TTL: held by the API instance that releases a batch's parked chunks. */
  public String parkedRelease(String batchId) {
    return batch(batchId) + ":parked-release";
  }

  /** Hash: an open batch's confirmed appends, append id → "firstItem,items,firstChunk,chunks" ({@code OpenBatches}). */
  public String appends(String batchId) {
    return batch(batchId) + ":appends";
  }

  /** Sorted set: open batches with an append (or finalize) in flight → when it is due for the sweeper (ms). */
  public String appendsDue() {
    return prefix + "appends:due";
  }

  /** String with a TTL: held while one request retries the batch. */
  public String retryLease(String batchId) {
    return batch(batchId) + ":retry-lease";
  }

  /** Hash: one webhook delivery of the batch ({@link WebhookField}). */
  public String webhook(String batchId, String eventType) {
    return batch(batchId) + ":webhook:" + eventType;
  }

  /** Set: the event types of the batch that have a webhook delivery. */
  public String webhookTypes(String batchId) {
    return batch(batchId) + ":webhooks";
  }

  /** List: every attempt of every webhook delivery of the batch, as JSON. */
  public String webhookAttempts(String batchId) {
    return batch(batchId) + ":callbacks";
  }

  /** String "tenant|removal instant": a removed batch answers 410 Gone with the date until this expires. */
  public String tombstone(String batchId) {
    return prefix + "gone:{" + batchId + "}";
  }

  /**
   * Hash: chunk index → "1" once the chunk's items were counted in the model version's statistics,
   * so a redelivered chunk is not counted twice. Outside the batch's keys: it holds only chunk numbers,
   * lives two days from the last count (longer than any redelivery), and a count that lands after the
   * batch's retention TTLs were set must not revive a key under {@code batch:{id}}.
   */
  public String telemetryCounted(String batchId) {
    return prefix + "telemetry-counted:{" + batchId + "}";
  }

  /** Hash: the OpenAI-compatible view of a batch created through {@code /openai/v1} ({@link OpenAiBatchField}). */
  public String openAiBatch(String batchId) {
    return batch(batchId) + ":openai";
  }

  /**
   * List: the OpenAI batch's input lines in order, in blocks of up to a thousand, one JSON array a line:
   * {@code [custom_id, first item index, item count]}, or {@code [custom_id, -1, 0, code, message]} for a line
   * refused before it ran. It maps the batch's items back to the lines of its output and error files.
   */
  public String openAiLines(String batchId) {
    return batch(batchId) + ":openai-lines";
  }

  // ---- one uploaded file: {fileId}

  /** Hash: an uploaded file's metadata ({@link FileField}). */
  public String file(String fileId) {
    return prefix + "file:{" + fileId + "}";
  }

  /** List: an uploaded file's content, in pieces of whole lines (UTF-8 text), in order. */
  public String fileParts(String fileId) {
    return file(fileId) + ":parts";
  }

  // ---- one tenant: {tenant}

  /** Sorted set: the tenant's batch ids by creation time (ms), for listing. */
  public String tenantBatches(String tenant) {
    return prefix + "tenant:{" + tenant + "}:batches";
  }

  /** Sorted set: the tenant's uploaded files by creation time (ms), for listing. */
  public String tenantFiles(String tenant) {
    return prefix + "tenant:{" + tenant + "}:files";
  }

  /** Sorted set: the tenant's OpenAI-compatible batches by creation time (ms), for listing. */
  public String tenantOpenAiBatches(String tenant) {
    return prefix + "tenant:{" + tenant + "}:openai-batches";
  }

  /** Hash: batch id → items, of the tenant's unfinished batches, plus their sum in {@link #QUEUED_TOTAL}. */
  public String tenantQueued(String tenant) {
    return prefix + "tenant:{" + tenant + "}:active";
  }

  /** The field of {@link #tenantQueued} holding the sum; batch ids are UUIDs, never this. */
  public static final String QUEUED_TOTAL = "~total";

  /** Hash: a token bucket of the tenant ({@link BucketField}). */
  public String rateBucket(String tenant, String bucket) {
    return prefix + "rate:{" + tenant + "}:" + bucket;
  }

  /** String: the claim of an Idempotency-Key (hashed: the client's key may be long or contain anything). */
  public String idempotency(String tenant, String keySha256) {
    return prefix + "idempotency:{" + tenant + "}:" + keySha256;
  }

  /** String with a short TTL: renewed while the claim's request runs. */
  public String idempotencyLease(String idempotencyKey) {
    return idempotencyKey + ":lease";
  }

  /** Set: the tenant's webhook URLs that answered 410 Gone. */
  public String webhooksGone(String tenant) {
    return prefix + "webhooks:gone:{" + tenant + "}";
  }

  // ---- one model: {model}

  /** String: the model's deployment document (JSON). */
  public String registry(String model) {
    return prefix + "registry:{" + model + "}";
  }

  /** Hash: items and errors ({@link StatsField}) counted for a version in one minute. */
  public String stats(String model, String version, long minute) {
    return prefix + "stats:{" + model + "}:" + version + ":" + minute;
  }

  /** Hash: a shadow version's comparison with production ({@link StatsField}). */
  public String shadow(String model, String production, String shadow) {
    return prefix + "shadow:{" + model + "}:" + production + ":" + shadow;
  }

  /** Hash: worker id → when it last said it serves the version (ms). */
  public String workers(String model, String version) {
    return prefix + "workers:{" + model + "}:" + version;
  }

  // ---- global

  /** Sorted set: unfinished batches of one priority, by creation time: what stands ahead of a batch. */
  public String queue(Priority priority) {
    return prefix + "queue:" + priority.wire();
  }

  /** Hash: worker id → its last status report (JSON: when, what it serves, its counters and lag). */
  public String workerStatus() {
    return prefix + "worker-status";
  }

  /** Sorted set: batch id → when its completion window ends (ms). */
  public String deadlines() {
    return prefix + "deadlines";
  }

  /** Sorted set: "batchId tenant" → when its submit is due to have finished (ms), until confirmed. */
  public String pendingBatches() {
    return prefix + "pending-batches";
  }

  /** Sorted set: "batchId|type" → when the webhook delivery is due (ms). */
  public String webhooksDue() {
    return prefix + "webhooks:due";
  }

  /** Sorted set: "batchId|type" → since when the delivery has waited undelivered (ms); gone once it is final. */
  public String webhooksWaiting() {
    return prefix + "webhooks:waiting";
  }

  /** The fields of a batch record ({@link #batch}). */
  public static final class BatchField {
    public static final String BATCH_ID = "batch_id";
    public static final String TENANT = "tenant";
    public static final String MODEL = "model";
    public static final String MODEL_VERSION = "model_version";
    public static final String PRIORITY = "priority";
    public static final String TOTAL = "total";
    public static final String CHUNK_STARTS = "chunk_starts";
    public static final String CREATED = "created";
    public static final String ESTIMATED_COMPLETION = "estimated_completion";
    public static final String DEADLINE = "deadline";
    public static final String RETENTION_MS = "retention_ms";
    public static final String CALLBACK_URL = "callback_url";
    public static final String CALLBACK_EVENTS = "callback_events";
    public static final String METADATA = "metadata";
    public static final String PARENT_BATCH_ID = "parent_batch_id";
    public static final String PARENT_STARTS = "parent_starts";
    public static final String CHILD_BATCH_IDS = "child_batch_ids";
    /** "1": the batch takes appends until finalized ({@code "open": true}). */
    public static final String OPEN = "open";
    /** "1": an open batch's total is fixed, its seal sent. */
    public static final String FINALIZED = "finalized";
    /** The append (or finalize) in flight on an open batch: its id, when the sweeper may judge it, what it adds. */
    public static final String APPEND_ID = "append_id";
    public static final String APPEND_DUE = "append_due";
    public static final String APPEND_SINCE = "append_since";
    public static final String APPEND_STARTS = "append_starts";
    public static final String APPEND_ITEMS = "append_items";
    /** How the submit's chunks went to Kafka, until its commit is confirmed. */
    public static final String PENDING = "pending";
    // The projection of the progress topology: written by it alone, after the record's first "queued".
    public static final String STATUS = "status";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";
    public static final String STARTED_AT = "started_at";
    public static final String COMPLETED_AT = "completed_at";
    /** {@link #ON_DEADLINE_RUN} when the batch's items still queued at its deadline run anyway; absent: they expire. */
    public static final String ON_DEADLINE = "on_deadline";
    public static final String ON_DEADLINE_RUN = "run";
    /** Counted by the topology: items answered after the deadline of a batch that runs past it. */
    public static final String AFTER_DEADLINE = "after_deadline";
    /** Counted by the topology: items not answered when the batch expired. */
    public static final String EXPIRED_ITEMS = "expired_items";
    /** Why the batch expired, in words (waited behind N items, no worker for its model, paused). */
    public static final String EXPIRED_REASON = "expired_reason";
    /** JSON array of the batch's pauses, resumes and priority changes, oldest first. */
    public static final String HISTORY = "history";
    // Flags workers read to skip work.
    /** Workers set the batch's chunks aside ({@link RedisKeys#parkedChunks}) instead of running them. */
    public static final String PAUSE_REQUESTED = "pause_requested";
    public static final String CANCEL_REQUESTED = "cancel_requested";
    public static final String EXPIRE_REQUESTED = "expire_requested";
    public static final String ITEMS_CANCELLED = "items_cancelled";

    private BatchField() {}
  }

  /**
   * The field of {@link #results} and {@link #failedInputs} that is not a chunk index: it makes the hash exist so
   * its retention TTL holds for chunks written later. Readers never ask for it.
   */
  public static final String TTL_MARKER = "ttl";

  /** The fields of an uploaded file ({@link #file}). */
  public static final class FileField {
    public static final String TENANT = "tenant";
    public static final String FILENAME = "filename";
    public static final String PURPOSE = "purpose";
    public static final String BYTES = "bytes";
    public static final String LINES = "lines";
    public static final String CREATED_AT = "created_at";
    /** "uploading" until the last byte is stored, then "processed". */
    public static final String STATUS = "status";

    private FileField() {}
  }

  /** The fields of an OpenAI batch ({@link #openAiBatch}). */
  public static final class OpenAiBatchField {
    public static final String TENANT = "tenant";
    public static final String ENDPOINT = "endpoint";
    public static final String INPUT_FILE_ID = "input_file_id";
    public static final String COMPLETION_WINDOW = "completion_window";
    public static final String METADATA = "metadata";
    public static final String CREATED_AT = "created_at";
    /** "validating" while its create runs, "failed" when validation refused it, "accepted" once queued. */
    public static final String STATE = "state";
    /** Until when (ms) a validating create may still be running; past it, the create died. */
    public static final String VALIDATING_UNTIL = "validating_until";
    public static final String FAILED_AT = "failed_at";
    public static final String CANCELLING_AT = "cancelling_at";
    /** The validation errors, a JSON array of OpenAI's {code, message, param, line}. */
    public static final String ERRORS = "errors";
    public static final String LINES = "lines";
    public static final String LINES_REFUSED = "lines_refused";
    /** "1" when every line holds one input: the native item counts are then the line counts. */
    public static final String SINGLE_INPUT = "single_input";
    /** Once final: the lines in the output and error files, and each file's size ({@code output_bytes}...). */
    public static final String LINES_COMPLETED = "lines_completed";
    public static final String LINES_FAILED = "lines_failed";
    public static final String OUTPUT_BYTES = "output_bytes";
    public static final String ERROR_BYTES = "error_bytes";
    /** "1" once the client deleted the output (or error) file. */
    public static final String OUTPUT_DELETED = "output_deleted";
    public static final String ERROR_DELETED = "error_deleted";

    private OpenAiBatchField() {}
  }

  /** The fields of a webhook delivery ({@link #webhook}). */
  public static final class WebhookField {
    public static final String EVENT_ID = "event_id";
    public static final String BATCH_ID = "batch_id";
    public static final String TENANT = "tenant";
    public static final String TYPE = "type";
    public static final String URL = "url";
    public static final String BODY = "body";
    public static final String ATTEMPTS = "attempts";
    public static final String STATUS = "status";
    public static final String NEXT_AT = "next_at";
    public static final String LAST_RESULT = "last_result";
    /** The submit's request id and the trace of the event, for the attempts' log lines and spans. */
    public static final String REQUEST_ID = "request_id";
    public static final String TRACEPARENT = "traceparent";

    private WebhookField() {}
  }

  /** The fields of {@link #stats} and {@link #shadow}. */
  public static final class StatsField {
    public static final String ITEMS = "items";
    public static final String ERRORS = "errors";
    public static final String COMPARED = "compared";
    public static final String AGREED = "agreed";
    /** Prefix of a confusion cell: {@code c\tproductionLabel\tshadowLabel} → items. */
    public static final String CELL = "c\t";

    private StatsField() {}
  }

  /** The fields of a token bucket ({@link #rateBucket}). */
  public static final class BucketField {
    public static final String TOKENS = "tokens";
    public static final String TS = "ts";

    private BucketField() {}
  }
}
