package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LanguageIdArgsTest {

  @Test
  void parses_languages_with_merged_locales_and_english_from_msgids() {
    LanguageIdArgs args = LanguageIdArgs.parse("--model", "language-id", "--languages", "de,pt=pt+pt_BR,en");

    assertThat(args.languages()).containsExactly(
        new LanguageIdCorpus.Language("de", List.of("de")),
        new LanguageIdCorpus.Language("pt", List.of("pt", "pt_BR")),
        new LanguageIdCorpus.Language("en", List.of()));
    assertThat(args.labels()).containsExactly("de", "pt", "en");
    assertThat(args.versionDir()).isEqualTo(Path.of("model-artifacts", "language-id", "1.0.0"));
  }

  @Test
  void defaults_cover_sixteen_languages_and_char_1_to_4_grams() {
    LanguageIdArgs args = LanguageIdArgs.parse("--model", "language-id");

    assertThat(args.labels()).hasSize(16).startsWith("en", "de", "fr");
    assertThat(args.dims().minN()).isEqualTo(1);
    assertThat(args.dims().maxN()).isEqualTo(4);
    assertThat(args.dims().classes()).isEqualTo(16);
    assertThat(args.excludePrefix()).isEqualTo("iso_");
  }

  @Test
  void rejects_repeated_labels_and_path_like_locales() {
    assertThatThrownBy(() -> LanguageIdArgs.parse("--model", "language-id", "--languages", "de,de"))
        .hasMessageContaining("repeated");
    assertThatThrownBy(() -> LanguageIdArgs.parse("--model", "language-id", "--languages", "de=../etc,fr"))
        .hasMessageContaining("locale");
  }

  @Test
  void rejects_unknown_options_and_bad_ngram_ranges() {
    assertThatThrownBy(() -> LanguageIdArgs.parse("--model", "language-id", "--arch", "cnn"))
        .hasMessageContaining("unknown option --arch");
    assertThatThrownBy(() -> LanguageIdArgs.parse("--model", "language-id", "--ngrams", "3-2"))
        .hasMessageContaining("n-gram");
    assertThatThrownBy(() -> LanguageIdArgs.parse("--model", "language-id", "--ngrams", "1-x"))
        .hasMessageStartingWith("--ngrams 1-x: not a number");
    assertThatThrownBy(() -> LanguageIdArgs.parse("--model", "language-id", "--ngrams", "4"))
        .hasMessageContaining("MIN-MAX");
  }

  @Test
  void takes_the_overwrite_flag_and_needs_its_own_model_name() {
    assertThat(LanguageIdArgs.parse("--model", "language-id", "--overwrite").overwrite()).isTrue();
    assertThatThrownBy(() -> LanguageIdArgs.parse("--version", "1.0.0"))
        .hasMessageContaining("--model language-id expected");
  }
}
