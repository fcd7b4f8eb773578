package dev.batchinfer.store.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeliveryStatusTest {

  @Test
  void a_pending_delivery_is_retried_delivered_or_failed() {
    for (DeliveryStatus to : DeliveryStatus.values()) {
      assertThat(DeliveryStatus.PENDING.moveTo(to)).isEqualTo(to);
    }
  }

  @Test
  void a_final_delivery_only_becomes_pending_again_by_a_redelivery() {
    assertThat(DeliveryStatus.DELIVERED.moveTo(DeliveryStatus.PENDING)).isEqualTo(DeliveryStatus.PENDING);
    assertThat(DeliveryStatus.FAILED.moveTo(DeliveryStatus.PENDING)).isEqualTo(DeliveryStatus.PENDING);
    assertThatThrownBy(() -> DeliveryStatus.DELIVERED.moveTo(DeliveryStatus.FAILED))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("delivered delivery cannot become failed");
    assertThatThrownBy(() -> DeliveryStatus.FAILED.moveTo(DeliveryStatus.DELIVERED)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void the_wire_names_read_back() {
    for (DeliveryStatus s : DeliveryStatus.values()) {
      assertThat(DeliveryStatus.fromWire(s.wire())).contains(s);
    }
    assertThat(DeliveryStatus.fromWire("sent")).isEmpty();
  }
}
