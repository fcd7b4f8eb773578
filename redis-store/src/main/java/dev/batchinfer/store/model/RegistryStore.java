package dev.batchinfer.store.model;

import dev.batchinfer.store.StoreException;

import dev.batchinfer.store.Redis;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.models.Deployment;
import io.lettuce.core.ScriptOutputType;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The live model registry: one JSON {@link Deployment} per model in Redis, shared by every API
 * instance and worker. It starts from registry.yaml; every change is a compare-and-set of the
 * whole document, so switching production is atomic and two concurrent changes never mix.
 */
public final class RegistryStore {

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final String CAS = """
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        redis.call('SET', KEYS[1], ARGV[2])
        return 1
      end
      return 0""";
  private static final int MAX_TRIES = 20;

  private final Redis redis;

  public RegistryStore(Redis redis) {
    this.redis = redis;
  }

  private String key(String model) {
    return redis.keys().registry(model);
  }

  /** The model's deployment; the seed is stored first if Redis has none yet. */
  public Deployment current(String model, Deployment seed) {
    String key = key(model);
    redis.sync().setnx(key, write(seed));
    return read(redis.sync().get(key));
  }

  public Optional<Deployment> find(String model) {
    String text = redis.sync().get(key(model));
    return text == null ? Optional.empty() : Optional.of(read(text));
  }

  /** Applies {@code change} atomically, retrying if another change got in first. */
  public Deployment update(String model, Deployment seed, UnaryOperator<Deployment> change) {
    for (int i = 0; i < MAX_TRIES; i++) {
      current(model, seed);
      String before = redis.sync().get(key(model));
      Deployment next = change.apply(read(before));
      String after = write(next);
      if (after.equals(before)) {
        return next;
      }
      Long ok = redis.sync().eval(CAS, ScriptOutputType.INTEGER, new String[] {key(model)}, before, after);
      if (ok != null && ok == 1L) {
        return next;
      }
    }
    throw new StoreException.Retriable("registry of " + model + " kept changing; try again");
  }

  private static Deployment read(String text) {
    try {
      return JSON.readValue(text, Deployment.class);
    } catch (JsonProcessingException e) {
      throw new StoreException("stored registry is not a deployment document", e);
    }
  }

  private static String write(Deployment d) {
    try {
      return JSON.writeValueAsString(d);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
