package dev.batchinfer.trainer;

import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Command-line options of {@link TrainerMain} for {@code --model fashion-mnist}, as
 * {@code --name value} pairs (plus the {@code --overwrite} flag). Unknown options are errors so a
 * typo cannot silently train with a default. ({@code --model language-id} has its own options:
 * {@link LanguageIdArgs}.)
 */
public record TrainerArgs(String model, String version, String arch, int epochs, long seed,
                          Path out, int batchSize, float learningRate, int hidden, Path dataDir,
                          boolean overwrite, int filters1, int filters2, float dropout,
                          Augment.Policy augment, float learningRateFloor, int validationItems) {

  static final String USAGE = """
      usage: TrainerMain [--model fashion-mnist] [--version 1.0.0] [--arch mlp|cnn] [--epochs 10]
                         [--seed 42] [--out model-artifacts] [--batch-size 128]
                         [--learning-rate 0.001] [--hidden 256]
                         [--data-dir /usr/share/datasets/fashion-mnist] [--overwrite]
             cnn only:   [--filters 32,64] [--dropout 0] [--augment none|flip|shiftN|flip+shiftN]
                         [--lr-floor 1 (cosine decay to rate*floor; 1 = constant)]
                         [--validation-items 0 (hold back the last N training items, log their accuracy)]
             TrainerMain --model language-id ...  (see LanguageIdArgs)""";

  private static final Set<String> OPTIONS = Set.of("model", "version", "arch", "epochs", "seed",
      "out", "batch-size", "learning-rate", "hidden", "data-dir", "filters", "dropout", "augment",
      "lr-floor", "validation-items");
  /** The stand-alone flags of both trainers. */
  static final Set<String> FLAGS = Set.of("overwrite");
  static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+([-+][0-9A-Za-z.-]+)?");

  public TrainerArgs {
    if (!"fashion-mnist".equals(model)) {
      throw new IllegalArgumentException("only --model fashion-mnist (or language-id) is supported, got " + model);
    }
    if (!"mlp".equals(arch) && !"cnn".equals(arch)) {
      throw new IllegalArgumentException("only --arch mlp and --arch cnn are implemented, got " + arch);
    }
    checkVersion(version);
    if (epochs <= 0 || batchSize <= 0 || hidden <= 0 || !(learningRate > 0) || filters1 <= 0 || filters2 <= 0) {
      throw new IllegalArgumentException("epochs, batch size, hidden, filters and learning rate must be positive");
    }
    if (!(dropout >= 0 && dropout < 1) || !(learningRateFloor >= 0 && learningRateFloor <= 1) || validationItems < 0) {
      throw new IllegalArgumentException("--dropout must be in [0, 1), --lr-floor in [0, 1], --validation-items >= 0");
    }
    if ("mlp".equals(arch) && (dropout > 0 || !augment.equals(Augment.Policy.NONE) || learningRateFloor != 1
        || validationItems > 0)) {
      throw new IllegalArgumentException("--dropout, --augment, --lr-floor and --validation-items are for --arch cnn");
    }
  }

  public static TrainerArgs parse(String... args) {
    CliOptions options = CliOptions.parse(args, OPTIONS, FLAGS, USAGE);
    int[] filters = options.integerPair("filters", "32,64", ",", "--filters takes two counts, e.g. 32,64");
    return new TrainerArgs(
        options.text("model", "fashion-mnist"),
        options.text("version", "1.0.0"),
        options.text("arch", "mlp"),
        options.integer("epochs", 10),
        options.longInteger("seed", 42),
        options.path("out", Path.of("model-artifacts")),
        options.integer("batch-size", 128),
        options.decimal("learning-rate", 0.001f),
        options.integer("hidden", 256),
        options.path("data-dir", FashionMnist.DEFAULT_DIR),
        options.flag("overwrite"),
        filters[0],
        filters[1],
        options.decimal("dropout", 0f),
        options.value("augment", "none", Augment.Policy::parse),
        options.decimal("lr-floor", 1f),
        options.integer("validation-items", 0));
  }

  /** The version becomes a directory name that serving code resolves; keep it semver-shaped. */
  static void checkVersion(String version) {
    if (!VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException("--version must look like 1.0.0, got " + version);
    }
  }

  /** {@code <out>/<model>/<version>}: the folder serving code loads. */
  public Path versionDir() {
    return out.resolve(model).resolve(version);
  }

  public MlpTrainer.Config trainerConfig() {
    return new MlpTrainer.Config(hidden, epochs, batchSize, learningRate, seed);
  }

  public CnnTrainer.Config cnnConfig() {
    return new CnnTrainer.Config(new CnnGraph.Dims(filters1, filters2, hidden), epochs, batchSize,
        learningRate, learningRateFloor, dropout, augment, seed, validationItems);
  }
}
