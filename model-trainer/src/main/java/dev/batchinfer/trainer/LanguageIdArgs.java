package dev.batchinfer.trainer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Command-line options of {@link TrainerMain} for {@code --model language-id}. */
public record LanguageIdArgs(String version, Path out, boolean overwrite, Path localeDir,
                             List<LanguageIdCorpus.Language> languages, String excludePrefix, String splitSalt,
                             int testPercent, int validationPercent, int maxTrainPerLanguage,
                             int heldoutPerLanguage, int epochs, int batchSize, float learningRate,
                             float learningRateFloor, long seed, int minN, int maxN, int bucketBits,
                             int embedding, int maxChars) {

  public static final String MODEL = "language-id";
  public static final String DEFAULT_LANGUAGES = "en,de,fr,es,it,pt=pt+pt_BR,nl,pl,ru,uk,sv,da,cs,fi,tr,hu";

  static final String USAGE = """
      usage: TrainerMain --model language-id [--version 1.0.0] [--out model-artifacts] [--overwrite]
             [--locale-dir /usr/share/locale] [--languages %s]
             (label[=locale+locale...]; en = the catalogues' English msgids)
             [--exclude-prefix iso_] [--split-salt language-id] [--test-percent 20]
             [--validation-percent 0 (families carved from training, accuracy logged per epoch)]
             [--max-train-per-language 25000] [--heldout-per-language 300]
             [--epochs 5] [--batch-size 256] [--learning-rate 0.005] [--lr-floor 0.05] [--seed 42]
             [--ngrams 1-4] [--bucket-bits 16] [--embedding 32] [--max-chars 512]"""
      .formatted(DEFAULT_LANGUAGES);

  private static final Set<String> OPTIONS = Set.of("model", "version", "out", "locale-dir", "languages",
      "exclude-prefix", "split-salt", "test-percent", "validation-percent", "max-train-per-language",
      "heldout-per-language", "epochs", "batch-size", "learning-rate", "lr-floor", "seed", "ngrams",
      "bucket-bits", "embedding", "max-chars");
  private static final Pattern LABEL = Pattern.compile("[a-z]{2,3}(-[A-Za-z0-9]+)?");
  private static final Pattern LOCALE = Pattern.compile("[A-Za-z0-9_@.-]+");

  public LanguageIdArgs {
    TrainerArgs.checkVersion(version);
    if (languages.size() < 2) {
      throw new IllegalArgumentException("need at least two languages");
    }
    if (testPercent <= 0 || testPercent >= 100 || validationPercent < 0 || validationPercent >= 100) {
      throw new IllegalArgumentException("--test-percent in 1..99, --validation-percent in 0..99");
    }
    if (maxTrainPerLanguage <= 0 || heldoutPerLanguage <= 0 || epochs <= 0 || batchSize <= 0 || !(learningRate > 0)
        || !(learningRateFloor >= 0 && learningRateFloor <= 1)) {
      throw new IllegalArgumentException("sizes, epochs and learning rate must be positive, --lr-floor in [0, 1]");
    }
    dims(minN, maxN, bucketBits, embedding, maxChars, languages.size());
  }

  public static LanguageIdArgs parse(String... args) {
    CliOptions options = CliOptions.parse(args, OPTIONS, TrainerArgs.FLAGS, USAGE);
    if (!MODEL.equals(options.text("model", null))) {
      throw new IllegalArgumentException("--model " + MODEL + " expected");
    }
    int[] ngrams = options.integerPair("ngrams", "1-4", "-", "--ngrams is MIN-MAX, e.g. 1-4");
    return new LanguageIdArgs(
        options.text("version", "1.0.0"),
        options.path("out", Path.of("model-artifacts")),
        options.flag("overwrite"),
        options.path("locale-dir", Path.of("/usr/share/locale")),
        parseLanguages(options.text("languages", DEFAULT_LANGUAGES)),
        options.text("exclude-prefix", "iso_"),
        options.text("split-salt", "language-id"),
        options.integer("test-percent", 20),
        options.integer("validation-percent", 0),
        options.integer("max-train-per-language", 25000),
        options.integer("heldout-per-language", 300),
        options.integer("epochs", 5),
        options.integer("batch-size", 256),
        options.decimal("learning-rate", 0.005f),
        options.decimal("lr-floor", 0.05f),
        options.longInteger("seed", 42),
        ngrams[0],
        ngrams[1],
        options.integer("bucket-bits", 16),
        options.integer("embedding", 32),
        options.integer("max-chars", 512));
  }

  /** {@code de,pt=pt+pt_BR,en}: label, optionally {@code =} the locale directories ({@code +}-joined). */
  static List<LanguageIdCorpus.Language> parseLanguages(String spec) {
    List<LanguageIdCorpus.Language> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String item : spec.split(",")) {
      String[] parts = item.trim().split("=", 2);
      String label = parts[0];
      if (!LABEL.matcher(label).matches() || !seen.add(label)) {
        throw new IllegalArgumentException("bad or repeated language label '" + label + "' in --languages");
      }
      List<String> locales = label.equals(LanguageIdCorpus.ENGLISH) ? List.of()
          : parts.length == 1 ? List.of(label) : List.of(parts[1].split("\\+"));
      for (String locale : locales) {
        if (!LOCALE.matcher(locale).matches() || locale.contains("..")) {
          throw new IllegalArgumentException("bad locale directory '" + locale + "' in --languages");
        }
      }
      out.add(new LanguageIdCorpus.Language(label, locales));
    }
    return List.copyOf(out);
  }

  private static LanguageIdGraph.Dims dims(int minN, int maxN, int bits, int embedding, int maxChars, int classes) {
    return new LanguageIdGraph.Dims(minN, maxN, bits, embedding, maxChars, classes);
  }

  public LanguageIdGraph.Dims dims() {
    return dims(minN, maxN, bucketBits, embedding, maxChars, languages.size());
  }

  public List<String> labels() {
    return languages.stream().map(LanguageIdCorpus.Language::label).toList();
  }

  public LanguageIdCorpus.Spec corpusSpec() {
    return new LanguageIdCorpus.Spec(localeDir, languages, excludePrefix, splitSalt, testPercent);
  }

  public Path versionDir() {
    return out.resolve(MODEL).resolve(version);
  }
}
