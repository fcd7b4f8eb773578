package dev.batchinfer.api;

import dev.batchinfer.api.auth.ApiKeys;
import dev.batchinfer.api.limits.TenantLimits;
import dev.batchinfer.api.submit.UploadGuard;
import dev.batchinfer.config.CommonSettings;
import dev.batchinfer.config.Env;
import dev.batchinfer.config.callback.CallbackPolicy;
import dev.batchinfer.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the API reads from its environment, validated once at start. Grouped by concern, each
 * group a record that reads its own variables: a new setting is added to its group alone.
 *
 * @param common what every service shares (KAFKA_BOOTSTRAP_SERVERS, REDIS_URL, the name prefixes)
 * @param publicBaseUrl PUBLIC_BASE_URL, how clients reach this API (for links in responses and webhooks);
 *     by default http://API_HOST:API_PORT
 * @param modelArtifacts MODEL_ARTIFACTS, the folder of model-artifacts/&lt;model&gt;/&lt;version&gt;
 * @param tenantLimits per-tenant rates and queued-items cap (RATE_*, MAX_QUEUED_ITEMS)
 * @param apiKeys API_KEYS / API_KEYS_FILE: hashed keys, their tenants and roles
 * @param openAi the OpenAI-compatible surface's files
 */
public record ApiSettings(
    CommonSettings common,
    String publicBaseUrl,
    Path modelArtifacts,
    Http http,
    Limits limits,
    Uploads uploads,
    Kafka kafka,
    Sync sync,
    Batches batches,
    TenantLimits.Settings tenantLimits,
    ApiKeys apiKeys,
    OpenAi openAi) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final String DEFAULT_MODEL_ARTIFACTS = "model-artifacts";
  public static final int DEFAULT_MAX_REQUEST_MB = 256;
  public static final int DEFAULT_MAX_BATCH_ITEMS = 50_000;
  public static final int DEFAULT_CHUNK_MAX_ITEMS = 1000;
  public static final int DEFAULT_CHUNK_MAX_BYTES = 1024 * 1024;
  public static final Duration DEFAULT_UPLOAD_TIMEOUT = Duration.ofMinutes(10);
  public static final int DEFAULT_UPLOAD_MIN_BYTES_PER_SECOND = 10_000;
  public static final Duration DEFAULT_UPLOAD_RATE_WINDOW = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_NDJSON_ITEMS = 1_000_000;
  public static final int DEFAULT_UPLOAD_PRODUCERS = 4;
  public static final Duration DEFAULT_SUBMIT_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_SUBMIT_PRODUCERS = 16;
  /** Kafka's default transaction.max.timeout.ms: a producer asking for more is refused by the broker. */
  public static final Duration DEFAULT_KAFKA_TRANSACTION_MAX_TIMEOUT = Duration.ofMinutes(15);
  public static final int DEFAULT_SYNC_MAX_ITEMS = 64;
  public static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_COMPLETION_WINDOW = Duration.ofHours(24);
  public static final Duration DEFAULT_RESULTS_RETENTION = Duration.ofDays(7);
  public static final int DEFAULT_ESTIMATED_ITEMS_PER_SECOND = 5_000;
  /** How long a transaction of chunks already at hand (JSON body, retry, sync predict) may stay open. */
  public static final Duration SUBMIT_TRANSACTION_TIMEOUT = Duration.ofSeconds(60);

  private static final long MIB = 1024L * 1024L;

  public static ApiSettings from(Env env) {
    CommonSettings common = CommonSettings.from(env);
    Http http = Http.from(env);
    Limits limits = Limits.from(env);
    Kafka kafka = Kafka.from(env, http.port());
    TenantLimits.Settings tenantLimits = TenantSettings.limits(env, limits.maxBatchItems());
    return new ApiSettings(common,
        env.string("PUBLIC_BASE_URL", "http://" + http.host() + ":" + http.port()),
        Path.of(env.string("MODEL_ARTIFACTS", DEFAULT_MODEL_ARTIFACTS)),
        http, limits, Uploads.from(env, kafka.transactionMaxTimeout(), tenantLimits.items().burst()), kafka,
        Sync.from(env), Batches.from(env), tenantLimits, TenantSettings.apiKeys(env), OpenAi.from(env));
  }

  /**
   * @param host API_HOST, the address to bind
   * @param port API_PORT (0 picks a free port)
   */
  public record Http(String host, int port) {
    static Http from(Env env) {
      return new Http(env.string("API_HOST", DEFAULT_HOST), env.integer("API_PORT", DEFAULT_PORT, 0, 65535));
    }
  }

  /**
   * What one request may hold.
   *
   * @param maxRequestBytes MAX_REQUEST_MB, request body size at most
   * @param maxBatchItems MAX_BATCH_ITEMS, inputs per request at most
   * @param bodyMemoryBytes BODY_MEMORY_MB, what the bodies read whole (JSON submits, raw ones up to 8 MB,
   *     sync predicts) may take of the heap together; by default a third of the JVM's maximum heap
   * @param chunkMaxItems CHUNK_MAX_ITEMS, items per Kafka record at most
   * @param chunkMaxBytes CHUNK_MAX_BYTES, bytes per Kafka record at most
   */
  public record Limits(long maxRequestBytes, int maxBatchItems, long bodyMemoryBytes, int chunkMaxItems,
      int chunkMaxBytes) {
    static Limits from(Env env) {
      return new Limits(
          env.integer("MAX_REQUEST_MB", DEFAULT_MAX_REQUEST_MB, 1, 4096) * MIB,
          env.integer("MAX_BATCH_ITEMS", DEFAULT_MAX_BATCH_ITEMS, 1, 10_000_000),
          env.integer("BODY_MEMORY_MB", defaultBodyMemoryMb(), 1, 1 << 20) * MIB,
          env.integer("CHUNK_MAX_ITEMS", DEFAULT_CHUNK_MAX_ITEMS, 1, 100_000),
          env.integer("CHUNK_MAX_BYTES", DEFAULT_CHUNK_MAX_BYTES, 4096, 4 * 1024 * 1024 - 1024));
    }
  }

  /**
   * How a body may arrive, and streamed uploads (NDJSON, raw bodies over 8 MB).
   *
   * @param timeout UPLOAD_TIMEOUT, the longest a submit body may take to arrive: a streamed upload's Kafka
   *     transaction stays open that long at most, which the broker caps at its transaction.max.timeout.ms
   *     (KAFKA_TRANSACTION_MAX_TIMEOUT)
   * @param minBytesPerSecond UPLOAD_MIN_BYTES_PER_SECOND, the slowest a body may arrive over any
   *     UPLOAD_RATE_WINDOW (0: no minimum), so a trickling client fails long before UPLOAD_TIMEOUT
   * @param rateWindow UPLOAD_RATE_WINDOW, the time over which that rate is measured
   * @param maxNdjsonItems MAX_NDJSON_ITEMS, lines of one streamed NDJSON upload at most (and at most
   *     RATE_ITEMS_BURST, since a larger upload could never be admitted)
   * @param producers UPLOAD_PRODUCERS, transactional producers for streamed uploads (concurrent uploads),
   *     a pool apart from SUBMIT_PRODUCERS so slow uploads cannot hold up other submits
   */
  public record Uploads(Duration timeout, int minBytesPerSecond, Duration rateWindow, int maxNdjsonItems,
      int producers) {
    static Uploads from(Env env, Duration transactionMax, double itemsBurst) {
      Duration timeout = env.duration("UPLOAD_TIMEOUT", DEFAULT_UPLOAD_TIMEOUT);
      if (timeout.compareTo(Duration.ofMinutes(1)) < 0) {
        throw new Env.SettingException("UPLOAD_TIMEOUT must be at least 1m, got " + timeout);
      }
      if (timeout.compareTo(transactionMax) > 0) {
        // The broker would refuse every upload producer (InvalidTransactionTimeout), failing all uploads.
        throw new Env.SettingException("UPLOAD_TIMEOUT must be at most the broker's transaction.max.timeout.ms ("
            + transactionMax.toMinutes() + "m, KAFKA_TRANSACTION_MAX_TIMEOUT), got " + timeout
            + ": lower it, or raise transaction.max.timeout.ms on the broker and KAFKA_TRANSACTION_MAX_TIMEOUT with it");
      }
      Duration rateWindow = env.duration("UPLOAD_RATE_WINDOW", DEFAULT_UPLOAD_RATE_WINDOW);
      if (rateWindow.compareTo(Duration.ofSeconds(1)) < 0 || rateWindow.compareTo(timeout) > 0) {
        throw new Env.SettingException("UPLOAD_RATE_WINDOW must be from 1s to UPLOAD_TIMEOUT (" + timeout
            + "), got " + rateWindow);
      }
      return new Uploads(timeout,
          env.integer("UPLOAD_MIN_BYTES_PER_SECOND", DEFAULT_UPLOAD_MIN_BYTES_PER_SECOND, 0, 1 << 30),
          rateWindow,
          (int) Math.min(env.integer("MAX_NDJSON_ITEMS", DEFAULT_MAX_NDJSON_ITEMS, 1, 100_000_000), itemsBurst),
          env.integer("UPLOAD_PRODUCERS", DEFAULT_UPLOAD_PRODUCERS, 1, 64));
    }

    /** What a submit body must keep to while it arrives. */
    public UploadGuard.Limits guard() {
      return new UploadGuard.Limits(timeout, minBytesPerSecond, rateWindow);
    }
  }

  /**
   * @param submitTimeout SUBMIT_TIMEOUT, how long a submit may wait for Kafka before answering 503
   * @param producers SUBMIT_PRODUCERS, transactional producers (concurrent submits of more than one chunk)
   * @param instanceId API_INSTANCE_ID, stable per instance so a restart fences its predecessor's transactions;
   *     by default the host name and API_PORT
   * @param transactionMaxTimeout KAFKA_TRANSACTION_MAX_TIMEOUT, the broker's transaction.max.timeout.ms:
   *     raise it only together with the broker's, never above it
   */
  /** @param workerGroupId WORKER_GROUP_ID, the workers' consumer group (after TOPIC_PREFIX), whose place a priority change reads */
  public record Kafka(Duration submitTimeout, int producers, String instanceId, Duration transactionMaxTimeout,
      String workerGroupId) {
    static Kafka from(Env env, int port) {
      Duration transactionMax = env.duration("KAFKA_TRANSACTION_MAX_TIMEOUT", DEFAULT_KAFKA_TRANSACTION_MAX_TIMEOUT);
      if (transactionMax.compareTo(SUBMIT_TRANSACTION_TIMEOUT) < 0 || transactionMax.compareTo(Duration.ofHours(24)) > 0) {
        throw new Env.SettingException("KAFKA_TRANSACTION_MAX_TIMEOUT must be from 1m to 24h, as the broker's "
            + "transaction.max.timeout.ms is, got " + transactionMax);
      }
      return new Kafka(env.duration("SUBMIT_TIMEOUT", DEFAULT_SUBMIT_TIMEOUT),
          env.integer("SUBMIT_PRODUCERS", DEFAULT_SUBMIT_PRODUCERS, 1, 64),
          env.string("API_INSTANCE_ID", hostName() + "-" + port), transactionMax,
          env.string("WORKER_GROUP_ID", dev.batchinfer.config.CommonSettings.DEFAULT_WORKER_GROUP_ID));
    }
  }

  /**
   * @param maxItems SYNC_MAX_ITEMS, inputs per sync predict at most
   * @param timeout SYNC_TIMEOUT, how long a sync predict waits before 504
   */
  public record Sync(int maxItems, Duration timeout) {
    static Sync from(Env env) {
      return new Sync(env.integer("SYNC_MAX_ITEMS", DEFAULT_SYNC_MAX_ITEMS, 1, 10_000),
          env.duration("SYNC_TIMEOUT", DEFAULT_SYNC_TIMEOUT));
    }
  }

  /**
   * What a batch gets where its request says nothing, and what its request may say.
   *
   * @param completionWindow COMPLETION_WINDOW, the default time a batch has before its unfinished items expire
   * @param retention RESULTS_RETENTION, the default time record and results are kept once final
   * @param estimatedItemsPerSecond ESTIMATED_ITEMS_PER_SECOND, the throughput assumed for estimated_completion
   * @param callbacks where callback URLs may point (CALLBACK_ALLOW_HTTP, CALLBACK_ALLOWED_CIDRS)
   */
  public record Batches(Duration completionWindow, Duration retention, int estimatedItemsPerSecond,
      CallbackPolicy callbacks) {
    static Batches from(Env env) {
      Duration window = env.duration("COMPLETION_WINDOW", DEFAULT_COMPLETION_WINDOW);
      if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Topics.MAX_COMPLETION_WINDOW) > 0) {
        // A request's completion_window is held to the same range; past it a backlog could outlive the request
        // topics' retention and be deleted unread.
        throw new Env.SettingException("COMPLETION_WINDOW must be from 1s to " + Topics.MAX_COMPLETION_WINDOW.toDays()
            + "d (the request topics keep records " + Topics.REQUEST_RETENTION.toDays() + "d), got " + window);
      }
      return new Batches(window, env.duration("RESULTS_RETENTION", DEFAULT_RESULTS_RETENTION),
          env.integer("ESTIMATED_ITEMS_PER_SECOND", DEFAULT_ESTIMATED_ITEMS_PER_SECOND, 1, Integer.MAX_VALUE),
          CallbackPolicy.from(env));
    }
  }

  /**
   * @param maxFileBytes OPENAI_MAX_FILE_MB, an uploaded file's size at most (OpenAI's own limit, 200, by default);
   *     files are kept in Redis, so this and the retention are what they may take of its memory
   * @param fileRetention OPENAI_FILE_RETENTION, how long an uploaded file is kept unless deleted first
   */
  public record OpenAi(long maxFileBytes, Duration fileRetention) {
    public static final int DEFAULT_MAX_FILE_MB = 200;
    public static final Duration DEFAULT_FILE_RETENTION = Duration.ofDays(7);

    static OpenAi from(Env env) {
      return new OpenAi(env.integer("OPENAI_MAX_FILE_MB", DEFAULT_MAX_FILE_MB, 1, 2048) * MIB,
          env.duration("OPENAI_FILE_RETENTION", DEFAULT_FILE_RETENTION));
    }
  }

  /**
   * A third of the heap: a body read whole takes about its own size while its batch is accepted
   * (its inputs, decoded), and the rest of the heap is for everything else and for the garbage
   * that reading and encoding leave behind.
   */
  static int defaultBodyMemoryMb() {
    return (int) Math.max(1, Runtime.getRuntime().maxMemory() / 3 / (1024 * 1024));
  }

  /**
   * The transaction timeout of upload producers: the upload, then recording and committing it (a
   * submit timeout), within what the broker allows. Past it the broker aborts an upload whose API
   * went silent, so the partitions it wrote to move on.
   */
  public Duration uploadTransactionTimeout() {
    Duration wanted = uploads.timeout().plus(kafka.submitTimeout());
    return wanted.compareTo(kafka.transactionMaxTimeout()) > 0 ? kafka.transactionMaxTimeout() : wanted;
  }

  public ApiSettings withCommon(CommonSettings c) {
    return new ApiSettings(c, publicBaseUrl, modelArtifacts, http, limits, uploads, kafka, sync, batches, tenantLimits,
        apiKeys, openAi);
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "api";
    }
  }
}
