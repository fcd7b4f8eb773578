package dev.batchinfer.trainer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.tensorflow.ndarray.Shape;

/**
 * Trained parameters as plain Java arrays, by variable name, in declaration order. The hand-over
 * between a training graph and the separate, lean inference graph built for export (the same role
 * {@link MlpWeights} plays for the MLP), so nothing of the optimizer can leak into a SavedModel.
 */
public final class NamedWeights {

  /** One variable: its graph name, shape and row-major values. */
  public record Entry(String name, Shape shape, float[] values) {
    public Entry {
      if (shape.size() != values.length) {
        throw new IllegalArgumentException(name + " has " + values.length + " values, shape " + shape
            + " needs " + shape.size());
      }
      // Adam derives slot names from variable names and rejects a '/' in them.
      if (name.isEmpty() || name.contains("/")) {
        throw new IllegalArgumentException("variable names must be flat, got '" + name + "'");
      }
    }
  }

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  public NamedWeights add(String name, Shape shape, float[] values) {
    if (entries.putIfAbsent(name, new Entry(name, shape, values)) != null) {
      throw new IllegalArgumentException("duplicate variable " + name);
    }
    return this;
  }

  public Entry get(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new NoSuchElementException("no variable " + name);
    }
    return e;
  }

  public List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  public Map<String, Entry> asMap() {
    return Collections.unmodifiableMap(entries);
  }

  public long parameterCount() {
    return entries.values().stream().mapToLong(e -> e.values().length).sum();
  }
}
