package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Per-language caps and the held-out sample: seeded, bounded, in corpus order. */
class SamplingTest {

  private final List<LanguageIdCorpus.Sample> samples = new ArrayList<>();

  SamplingTest() {
    for (int i = 0; i < 100; i++) {
      samples.add(new LanguageIdCorpus.Sample("de", "de" + i));
    }
    for (int i = 0; i < 5; i++) {
      samples.add(new LanguageIdCorpus.Sample("fr", "fr" + i));
    }
  }

  @Test
  void caps_each_language_and_keeps_small_ones_whole() {
    List<LanguageIdCorpus.Sample> capped = LanguageIdTrainerMain.capPerLabel(samples, List.of("de", "fr"), 10,
        new SplittableRandom(1));

    assertThat(LanguageIdTrainerMain.countPerLabel(capped, List.of("de", "fr"))).containsEntry("de", 10)
        .containsEntry("fr", 5);
    assertThat(capped.subList(0, 10)).isSortedAccordingTo(
        (a, b) -> Integer.compare(samples.indexOf(a), samples.indexOf(b)));
    assertThat(capped).doesNotHaveDuplicates();
  }

  @Test
  void the_same_seed_picks_the_same_items_and_another_seed_others() {
    List<String> labels = List.of("de", "fr");

    assertThat(LanguageIdTrainerMain.capPerLabel(samples, labels, 10, new SplittableRandom(7)))
        .isEqualTo(LanguageIdTrainerMain.capPerLabel(samples, labels, 10, new SplittableRandom(7)))
        .isNotEqualTo(LanguageIdTrainerMain.capPerLabel(samples, labels, 10, new SplittableRandom(8)));
  }
}
