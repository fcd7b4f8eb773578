package dev.batchinfer.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Builds the language-id corpus from the gettext catalogues installed under
 * {@code <localeDir>/<locale>/LC_MESSAGES/*.mo}.
 *
 * <p>Per catalogue message: the first (singular) translation, cleaned by {@link TextCleaner},
 * labelled with the language. Skipped: the header (empty msgid), untranslated entries (empty
 * msgstr), entries whose translation equals the English original (left untranslated), strings
 * with fewer than 2 letters after cleaning, and excluded catalogues (by default ISO code lists:
 * country, language and currency names rather than running text). English text, when asked for,
 * is the cleaned msgids of the same catalogues.
 *
 * <p>Then, so that the held-out set is honest: texts that occur under more than one label are
 * dropped everywhere (they cannot be attributed), and test texts that also occur in a training
 * catalogue (shared gnulib messages, for instance) are dropped from the test set.
 */
public final class LanguageIdCorpus {

  /** A label and the locale directories whose catalogues provide it (none for {@code en}). */
  public record Language(String label, List<String> locales) {}

  /** A labelled text; {@code family} is the catalogue family it came from (null when read from a TSV). */
  public record Sample(String label, String text, String family) {
    public Sample(String label, String text) {
      this(label, text, null);
    }
  }

  /** One catalogue file read, for the data manifest. */
  public record CatalogueFile(String label, String locale, String path, String family, String split,
                              long bytes, String sha256, int strings) {}

  /** Per label and split: counts at each filtering step. */
  public record Counts(int catalogues, int uniqueStrings, int ambiguousDropped, int seenInTrainingDropped, int kept) {}

  public record Corpus(List<String> labels, List<Sample> train, List<Sample> test, List<CatalogueFile> files,
                       Map<String, Map<String, Counts>> counts, List<String> testFamilies, List<String> trainFamilies) {}

  /** How to read and split. */
  public record Spec(Path localeDir, List<Language> languages, String excludePrefix, String salt, int testPercent) {}

  public static final String ENGLISH = "en";
  public static final String TRAIN = "train";
  public static final String TEST = "test";

  private LanguageIdCorpus() {}

  public static Corpus load(Spec spec) throws IOException {
    boolean withEnglish = spec.languages().stream().anyMatch(l -> l.label().equals(ENGLISH));
    Map<String, Map<String, Map<String, String>>> texts = new LinkedHashMap<>();
    Map<String, Map<String, Set<String>>> catalogues = new LinkedHashMap<>();
    List<String> labels = spec.languages().stream().map(Language::label).toList();
    for (String label : labels) {
      texts.put(label, Map.of(TRAIN, new LinkedHashMap<>(), TEST, new LinkedHashMap<>()));
      catalogues.put(label, Map.of(TRAIN, new HashSet<>(), TEST, new HashSet<>()));
    }
    List<CatalogueFile> files = new ArrayList<>();
    Set<String> testFamilies = new java.util.TreeSet<>();
    Set<String> trainFamilies = new java.util.TreeSet<>();
    for (Language language : spec.languages()) {
      for (String locale : language.locales()) {
        for (Path file : moFiles(spec.localeDir().resolve(locale).resolve("LC_MESSAGES"))) {
          String name = file.getFileName().toString();
          if (!spec.excludePrefix().isEmpty() && name.startsWith(spec.excludePrefix())) {
            continue;
          }
          String family = LanguageIdSplit.family(name);
          String split = LanguageIdSplit.isTest(family, spec.salt(), spec.testPercent()) ? TEST : TRAIN;
          (split.equals(TEST) ? testFamilies : trainFamilies).add(family);
          MoReader.Catalogue catalogue = MoReader.read(file);
          int strings = 0;
          for (MoReader.Message m : catalogue.messages()) {
            if (m.msgid().isEmpty()) {
              continue;
            }
            if (withEnglish) {
              String english = TextCleaner.clean(m.msgid());
              if (TextCleaner.letters(english) >= 2) {
                texts.get(ENGLISH).get(split).putIfAbsent(english, family);
              }
            }
            String translation = m.translation();
            if (translation.isEmpty() || translation.equals(m.msgid())) {
              continue;
            }
            String text = TextCleaner.clean(translation);
            if (TextCleaner.letters(text) < 2) {
              continue;
            }
            texts.get(language.label()).get(split).putIfAbsent(text, family);
            strings++;
          }
          catalogues.get(language.label()).get(split).add(family);
          if (withEnglish) {
            catalogues.get(ENGLISH).get(split).add(family);
          }
          files.add(new CatalogueFile(language.label(), locale, file.toAbsolutePath().toString(), family, split,
              Files.size(file), Sha256.ofFile(file), strings));
        }
      }
    }

    Map<String, Set<String>> labelsOfText = new HashMap<>();
    texts.forEach((label, bySplit) -> bySplit.values().forEach(map -> map.keySet().forEach(
        t -> labelsOfText.computeIfAbsent(t, k -> new HashSet<>(2)).add(label))));
    Set<String> trainTexts = new HashSet<>();
    texts.values().forEach(bySplit -> trainTexts.addAll(bySplit.get(TRAIN).keySet()));

    List<Sample> train = new ArrayList<>();
    List<Sample> test = new ArrayList<>();
    Map<String, Map<String, Counts>> counts = new LinkedHashMap<>();
    for (String label : labels) {
      Map<String, Counts> byLabel = new LinkedHashMap<>();
      for (String split : List.of(TRAIN, TEST)) {
        int ambiguous = 0;
        int seen = 0;
        int kept = 0;
        for (Map.Entry<String, String> e : texts.get(label).get(split).entrySet()) {
          String t = e.getKey();
          if (labelsOfText.get(t).size() > 1) {
            ambiguous++;
          } else if (split.equals(TEST) && trainTexts.contains(t)) {
            seen++;
          } else {
            (split.equals(TRAIN) ? train : test).add(new Sample(label, t, e.getValue()));
            kept++;
          }
        }
        byLabel.put(split, new Counts(catalogues.get(label).get(split).size(), texts.get(label).get(split).size(),
            ambiguous, seen, kept));
      }
      counts.put(label, byLabel);
    }
    return new Corpus(labels, train, test, files, counts, List.copyOf(testFamilies), List.copyOf(trainFamilies));
  }

  private static List<Path> moFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("no catalogues at " + dir);
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".mo") && Files.isRegularFile(p)).sorted().toList();
    }
  }
}
