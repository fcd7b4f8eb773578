package dev.batchinfer.models;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which version of a model does what, as one document: switching production is replacing the
 * document (one atomic change), and every change is recorded with its reason.
 *
 * @param production serves every batch that is not routed to the canary
 * @param canary a version taking a share of new batches, chosen by a stable hash of the batch id
 * @param shadow versions that run on a copy of production's work; their outputs are only compared
 * @param staging loaded and callable by exact version, never routed to
 * @param archived no longer served (410)
 * @param previousProduction earlier production versions, newest last: what a rollback returns to
 * @param history every change, oldest first
 * @param revision increases with every change (optimistic concurrency)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Deployment(
    String production,
    Canary canary,
    List<String> shadow,
    List<String> staging,
    List<String> archived,
    @JsonProperty("previous_production") List<String> previousProduction,
    List<Change> history,
    long revision) {

  public Deployment {
    shadow = shadow == null ? List.of() : List.copyOf(shadow);
    staging = staging == null ? List.of() : List.copyOf(staging);
    archived = archived == null ? List.of() : List.copyOf(archived);
    previousProduction = previousProduction == null ? List.of() : List.copyOf(previousProduction);
    history = history == null ? List.of() : List.copyOf(history);
  }

  /** A canary version and the share of batches (0..1) it takes. */
  public record Canary(String version, double traffic) {}

  /** One change of the document. */
  public record Change(long at, String change, String reason) {}

  public static Deployment of(String production) {
    return new Deployment(production, null, List.of(), List.of(), List.of(), List.of(), List.of(), 1);
  }

  /**
   * The version a new batch goes to. The same batch id always gets the same answer, so a batch
   * never mixes versions even if it were routed twice.
   */
  public String route(String batchId) {
    if (canary != null && canary.traffic() > 0 && bucket(batchId) < canary.traffic()) {
      return canary.version();
    }
    return production;
  }

  /** A stable number in [0, 1) from the batch id (SHA-256, not String.hashCode, for an even spread). */
  static double bucket(String batchId) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(batchId.getBytes(StandardCharsets.UTF_8));
      long v = 0;
      for (int i = 0; i < 6; i++) {
        v = (v << 8) | (h[i] & 0xff);
      }
      return v / (double) (1L << 48);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** production, canary, shadow, staging, archived, or empty if the registry does not name it. */
  public Optional<String> stageOf(String version) {
    if (version.equals(production)) {
      return Optional.of("production");
    }
    if (canary != null && version.equals(canary.version())) {
      return Optional.of("canary");
    }
    if (shadow.contains(version)) {
      return Optional.of("shadow");
    }
    if (staging.contains(version)) {
      return Optional.of("staging");
    }
    return archived.contains(version) ? Optional.of("archived") : Optional.empty();
  }

  public boolean isArchived(String version) {
    return archived.contains(version);
  }

  /** Makes {@code version} production (blue-green switch); the old one is remembered for rollback. */
  public Deployment promote(String version, String reason, long at) {
    if (version.equals(production)) {
      return this;
    }
    List<String> previous = new ArrayList<>(previousProduction);
    previous.add(production);
    Canary c = canary != null && canary.version().equals(version) ? null : canary;
    return new Deployment(version, c, without(shadow, version), without(staging, version), without(archived, version),
        previous, with(history, new Change(at, "production " + production + " -> " + version, reason)), revision + 1);
  }

  /** Back to the previous production version. */
  public Deployment rollback(String reason, long at) {
    if (previousProduction.isEmpty()) {
      throw new RolloutException("there is no earlier production version to roll back to");
    }
    String back = previousProduction.get(previousProduction.size() - 1);
    List<String> previous = previousProduction.subList(0, previousProduction.size() - 1);
    return new Deployment(back, null, shadow, with(staging, production), archived, previous,
        with(history, new Change(at, "rollback: production " + production + " -> " + back
            + (canary != null ? "; canary " + canary.version() + " removed" : ""), reason)), revision + 1);
  }

  /** Takes the canary out of traffic (it stays loadable as staging). */
  public Deployment demoteCanary(String reason, long at) {
    if (canary == null) {
      return this;
    }
    return new Deployment(production, null, shadow, with(staging, canary.version()), archived, previousProduction,
        with(history, new Change(at, "canary " + canary.version() + " demoted", reason)), revision + 1);
  }

  /** Replaces the stages in one step (an operator's edit); production history is kept. */
  public Deployment replaceStages(Deployment next, String reason, long at) {
    List<String> previous = new ArrayList<>(previousProduction);
    if (!next.production().equals(production)) {
      previous.add(production);
    }
    return new Deployment(next.production(), next.canary(), next.shadow(), next.staging(), next.archived(), previous,
        with(history, new Change(at, "stages replaced", reason)), revision + 1);
  }

  private static List<String> without(List<String> list, String v) {
    return list.stream().filter(x -> !x.equals(v)).toList();
  }

  private static <T> List<T> with(List<T> list, T item) {
    List<T> out = new ArrayList<>(list);
    if (item instanceof String && out.contains(item)) {
      return out;
    }
    out.add(item);
    return out;
  }
}
