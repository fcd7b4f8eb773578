package dev.batchinfer.api.submit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CustomIdSetTest {

  @Test
  void a_repeated_id_names_the_line_it_was_first_seen_on() {
    CustomIdSet ids = new CustomIdSet();
    assertThat(ids.add("a", 1)).isZero();
    assertThat(ids.add("b", 2)).isZero();
    assertThat(ids.add("a", 3)).isEqualTo(1);
    assertThat(ids.add("b", 9)).isEqualTo(2);
    assertThat(ids.size()).isEqualTo(2);
  }

  @Test
  void a_hundred_thousand_distinct_ids_are_all_new_and_all_found_again_in_bounded_memory() {
    CustomIdSet ids = new CustomIdSet(16);
    int n = 100_000;
    for (int i = 1; i <= n; i++) {
      assertThat(ids.add("item-" + i, i)).isZero();
    }
    for (int i = 1; i <= n; i++) {
      assertThat(ids.add("item-" + i, n + i)).isEqualTo(i);
    }
    // 12 bytes a slot, at most two slots per id (after growing: below 4 slots per id).
    assertThat(ids.footprintBytes()).isLessThanOrEqualTo(4L * 12 * n);
    assertThat(ids.size()).isEqualTo(n);
  }

  @Test
  void ids_are_compared_exactly_not_by_case_or_normal_form() {
    CustomIdSet ids = new CustomIdSet();
    ids.add("Item", 1);
    assertThat(ids.add("item", 2)).isZero();
    assertThat(ids.add("é", 3)).isZero();
    assertThat(ids.add("e\u0301", 4)).isZero();
  }
}
