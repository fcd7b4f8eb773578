package dev.batchinfer.store.webhook;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Where a webhook delivery stands. A pending delivery is attempted until it is delivered or fails (its schedule
 * used up, its endpoint gone or blocked); a client's redelivery makes any delivery pending again.
 */
public enum DeliveryStatus {
  PENDING("pending"),
  DELIVERED("delivered"),
  FAILED("failed");

  private final String wire;

  DeliveryStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<DeliveryStatus> fromWire(String s) {
    for (DeliveryStatus d : values()) {
      if (d.wire.equals(s)) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** The statuses an attempt may lead to from this one; a redelivery ({@code PENDING}) is allowed from any. */
  public Set<DeliveryStatus> next() {
    return this == PENDING ? EnumSet.allOf(DeliveryStatus.class) : EnumSet.of(PENDING);
  }

  /** @throws IllegalStateException for a move the state machine does not allow (a bug, never a client's doing) */
  public DeliveryStatus moveTo(DeliveryStatus to) {
    if (!next().contains(to)) {
      throw new IllegalStateException("a " + wire + " delivery cannot become " + to.wire);
    }
    return to;
  }
}
