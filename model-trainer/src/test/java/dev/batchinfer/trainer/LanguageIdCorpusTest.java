package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LanguageIdCorpusTest {

  @TempDir Path locales;
  String salt;

  /** Catalogue family "alpha" goes to training and "beta" to test under {@link #salt}. */
  @BeforeEach
  void writeCatalogues() throws IOException {
    for (int i = 0; salt == null; i++) {
      if (!LanguageIdSplit.isTest("alpha", "s" + i, 50) && LanguageIdSplit.isTest("beta", "s" + i, 50)) {
        salt = "s" + i;
      }
    }
    write("de", "alpha.mo", MoFiles.withHeader(MoFiles.UTF8_HEADER)
        .add("File not found", "Datei nicht gefunden")
        .add("Error reading %s", "Fehler beim Lesen von %s")
        .add("OK", "OK")
        .add("Cab", "Taxi Taxi")
        .add("%s", "%s")
        .add("Pending", ""));
    write("fr", "alpha.mo", MoFiles.withHeader(MoFiles.UTF8_HEADER)
        .add("File not found", "Fichier introuvable")
        .add("Error reading %s", "Erreur de lecture de %s")
        .add("Cab", "Taxi Taxi"));
    write("de", "beta.mo", MoFiles.withHeader(MoFiles.UTF8_HEADER)
        .add("File not found", "Datei nicht gefunden")
        .add("Memory exhausted", "Speicher erschöpft"));
    write("fr", "beta.mo", MoFiles.withHeader(MoFiles.UTF8_HEADER)
        .add("Memory exhausted", "Mémoire épuisée"));
    write("fr", "iso_3166.mo", MoFiles.withHeader(MoFiles.UTF8_HEADER).add("Germany", "Allemagne"));
  }

  @Test
  void splits_by_catalogue_family_and_keeps_only_real_translations() throws IOException {
    LanguageIdCorpus.Corpus corpus = load();

    assertThat(corpus.labels()).containsExactly("de", "fr", "en");
    assertThat(texts(corpus.train(), "de")).containsExactlyInAnyOrder("Datei nicht gefunden", "Fehler beim Lesen von");
    assertThat(texts(corpus.train(), "fr")).containsExactlyInAnyOrder("Fichier introuvable", "Erreur de lecture de");
    // English is every msgid with 2+ letters, translated or not.
    assertThat(texts(corpus.train(), "en")).containsExactlyInAnyOrder("File not found", "Error reading", "OK", "Cab",
        "Pending");
    assertThat(texts(corpus.test(), "de")).containsExactly("Speicher erschöpft");
    assertThat(texts(corpus.test(), "fr")).containsExactly("Mémoire épuisée");
    assertThat(texts(corpus.test(), "en")).containsExactly("Memory exhausted");
    assertThat(corpus.testFamilies()).containsExactly("beta");
    assertThat(corpus.trainFamilies()).containsExactly("alpha");
    assertThat(corpus.train()).allSatisfy(s -> assertThat(s.family()).isEqualTo("alpha"));
  }

  @Test
  void drops_texts_with_two_labels_and_test_texts_seen_in_training() throws IOException {
    LanguageIdCorpus.Corpus corpus = load();

    // "Taxi Taxi" is both de and fr; "Cab" stays English.
    assertThat(corpus.train()).noneMatch(s -> s.text().equals("Taxi Taxi"));
    assertThat(corpus.counts().get("de").get("train").ambiguousDropped()).isEqualTo(1);
    // beta's German "Datei nicht gefunden" (and English "File not found") already occur in alpha.
    assertThat(corpus.counts().get("de").get("test").seenInTrainingDropped()).isEqualTo(1);
    assertThat(corpus.counts().get("en").get("test").seenInTrainingDropped()).isEqualTo(1);
    assertThat(corpus.counts().get("de").get("test").kept()).isEqualTo(1);
  }

  @Test
  void lists_every_catalogue_read_with_its_hash_and_skips_excluded_ones() throws IOException {
    LanguageIdCorpus.Corpus corpus = load();

    assertThat(corpus.files()).hasSize(4).noneMatch(f -> f.path().contains("iso_"));
    LanguageIdCorpus.CatalogueFile deAlpha = corpus.files().stream()
        .filter(f -> f.label().equals("de") && f.family().equals("alpha")).findFirst().orElseThrow();
    assertThat(deAlpha.split()).isEqualTo("train");
    assertThat(deAlpha.sha256()).isEqualTo(Sha256.ofFile(Path.of(deAlpha.path())));
    assertThat(deAlpha.strings()).isEqualTo(3);
  }

  private LanguageIdCorpus.Corpus load() throws IOException {
    return LanguageIdCorpus.load(new LanguageIdCorpus.Spec(locales, List.of(
        new LanguageIdCorpus.Language("de", List.of("de")),
        new LanguageIdCorpus.Language("fr", List.of("fr")),
        new LanguageIdCorpus.Language("en", List.of())), "iso_", salt, 50));
  }

  private static List<String> texts(List<LanguageIdCorpus.Sample> samples, String label) {
    return samples.stream().filter(s -> s.label().equals(label)).map(LanguageIdCorpus.Sample::text).toList();
  }

  private void write(String locale, String name, MoFiles mo) throws IOException {
    Path dir = Files.createDirectories(locales.resolve(locale).resolve("LC_MESSAGES"));
    Files.write(dir.resolve(name), mo.bytes());
  }
}
