package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LanguageIdSplitTest {

  @Test
  void sibling_catalogues_share_a_family() {
    assertThat(LanguageIdSplit.family("psql-15.mo")).isEqualTo("postgresql");
    assertThat(LanguageIdSplit.family("pg_dump-15.mo")).isEqualTo("postgresql");
    assertThat(LanguageIdSplit.family("libpq5-15.mo")).isEqualTo("postgresql");
    assertThat(LanguageIdSplit.family("ld.mo")).isEqualTo("binutils");
    assertThat(LanguageIdSplit.family("opcodes.mo")).isEqualTo("binutils");
    assertThat(LanguageIdSplit.family("wget-gnulib.mo")).isEqualTo("wget");
    assertThat(LanguageIdSplit.family("gtk20-properties.mo")).isEqualTo("gtk20");
    assertThat(LanguageIdSplit.family("gettext-tools.mo")).isEqualTo("gettext");
    assertThat(LanguageIdSplit.family("coreutils.mo")).isEqualTo("coreutils");
    assertThat(LanguageIdSplit.family("software-properties.mo")).isEqualTo("software-properties");
  }

  @Test
  void the_split_depends_only_on_family_and_salt() {
    assertThat(LanguageIdSplit.isTest("coreutils", "s", 50)).isEqualTo(LanguageIdSplit.isTest("coreutils", "s", 50));
    // A family's side does not depend on the language it was found under: there is no language input.
    long differ = IntStream.range(0, 200).filter(i ->
        LanguageIdSplit.isTest("family" + i, "a", 50) != LanguageIdSplit.isTest("family" + i, "b", 50)).count();
    assertThat(differ).as("another salt gives another split").isGreaterThan(50);
  }

  @Test
  void the_test_share_of_families_follows_the_percentage() {
    long test = IntStream.range(0, 2000).filter(i -> LanguageIdSplit.isTest("family" + i, "language-id", 20)).count();

    assertThat(test).isBetween(340L, 460L);
    assertThat(IntStream.range(0, 100).noneMatch(i -> LanguageIdSplit.isTest("f" + i, "x", 0))).isTrue();
  }

  @Test
  void length_buckets_have_inclusive_lower_bounds() {
    assertThat(LanguageIdSplit.Bucket.of("")).isEqualTo(LanguageIdSplit.Bucket.UNDER_20);
    assertThat(LanguageIdSplit.Bucket.of("x".repeat(19))).isEqualTo(LanguageIdSplit.Bucket.UNDER_20);
    assertThat(LanguageIdSplit.Bucket.of("x".repeat(20))).isEqualTo(LanguageIdSplit.Bucket.FROM_20_TO_50);
    assertThat(LanguageIdSplit.Bucket.of("x".repeat(49))).isEqualTo(LanguageIdSplit.Bucket.FROM_20_TO_50);
    assertThat(LanguageIdSplit.Bucket.of("x".repeat(50))).isEqualTo(LanguageIdSplit.Bucket.FROM_50_TO_100);
    assertThat(LanguageIdSplit.Bucket.of("x".repeat(99))).isEqualTo(LanguageIdSplit.Bucket.FROM_50_TO_100);
    assertThat(LanguageIdSplit.Bucket.of("x".repeat(100))).isEqualTo(LanguageIdSplit.Bucket.FROM_100);
    assertThat(LanguageIdSplit.atLeast20("x".repeat(19))).isFalse();
    assertThat(LanguageIdSplit.atLeast20("x".repeat(20))).isTrue();
  }

  @Test
  void lengths_count_code_points_not_utf16_units() {
    String tenEmoji = "😀".repeat(10);
    assertThat(tenEmoji.length()).isEqualTo(20);

    assertThat(LanguageIdSplit.Bucket.of(tenEmoji)).isEqualTo(LanguageIdSplit.Bucket.UNDER_20);
    assertThat(LanguageIdSplit.atLeast20("ä".repeat(20))).isTrue();
  }
}
