package dev.batchinfer.topics.message;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How urgently a batch wants its chunks served. Workers prefer higher ones without starving lower. */
public enum Priority {
  HIGH,
  NORMAL,
  LOW;

  /** The spelling used in JSON and topic names. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Priority> fromWire(String value) {
    return Arrays.stream(values()).filter(p -> p.wire().equals(value)).findFirst();
  }
}
