package dev.batchinfer.progress;

import dev.batchinfer.config.CommonSettings;
import dev.batchinfer.config.Env;
import dev.batchinfer.progress.rollout.RolloutGuard;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The progress service's settings, read from the environment here and nowhere else.
 *
 * @param stateDir STREAMS_STATE_DIR, the Kafka Streams state (RocksDB) directory
 * @param standbyReplicas STREAMS_STANDBY_REPLICAS, Kafka Streams' {@code num.standby.replicas}: warm
 *     copies of each state store kept by other instances, so a failover does not restore from the
 *     changelog first. 0 for one instance; 1 with two or more
 * @param modelArtifacts MODEL_ARTIFACTS, whose models' canaries the rollout guard watches; when
 *     the directory is missing the service keeps progress only
 * @param rollback the automated rollback's thresholds (ROLLBACK_*)
 */
public record ProgressSettings(CommonSettings common, Path stateDir, int standbyReplicas, Path modelArtifacts,
    RolloutGuard.Policy rollback) {

  public static final String DEFAULT_STATE_DIR = System.getProperty("java.io.tmpdir") + "/batch-inference-streams";
  public static final int DEFAULT_STANDBY_REPLICAS = 0;
  public static final String DEFAULT_MODEL_ARTIFACTS = "model-artifacts";
  public static final double DEFAULT_MAX_ERROR_RATE = 0.05;
  public static final double DEFAULT_MAX_DISAGREEMENT = 0.25;
  public static final int DEFAULT_MIN_ITEMS = 200;
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
  public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(5);

  public static ProgressSettings from(Env env) {
    return new ProgressSettings(CommonSettings.from(env),
        Path.of(env.string("STREAMS_STATE_DIR", DEFAULT_STATE_DIR)),
        env.integer("STREAMS_STANDBY_REPLICAS", DEFAULT_STANDBY_REPLICAS, 0, 8),
        Path.of(env.string("MODEL_ARTIFACTS", DEFAULT_MODEL_ARTIFACTS)),
        rollback(env));
  }

  /** The rollback thresholds alone, for hosts (standalone, tests) that build the rest themselves. */
  public static RolloutGuard.Policy rollback(Env env) {
    return new RolloutGuard.Policy(
        fraction(env, "ROLLBACK_MAX_ERROR_RATE", DEFAULT_MAX_ERROR_RATE),
        fraction(env, "ROLLBACK_MAX_DISAGREEMENT", DEFAULT_MAX_DISAGREEMENT),
        env.integer("ROLLBACK_MIN_ITEMS", DEFAULT_MIN_ITEMS, 1, Integer.MAX_VALUE),
        env.duration("ROLLBACK_WINDOW", DEFAULT_WINDOW),
        env.duration("ROLLBACK_CHECK_INTERVAL", DEFAULT_CHECK_INTERVAL));
  }

  private static double fraction(Env env, String name, double fallback) {
    String v = env.string(name, Double.toString(fallback));
    try {
      double d = Double.parseDouble(v);
      if (d >= 0 && d <= 1) {
        return d;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new Env.SettingException(name + " must be a fraction from 0 to 1, got '" + v + "'");
  }
}
