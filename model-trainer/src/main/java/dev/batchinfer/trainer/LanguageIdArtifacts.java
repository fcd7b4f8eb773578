package dev.batchinfer.trainer;

import static dev.batchinfer.trainer.ArtifactWriter.JSON;
import static dev.batchinfer.trainer.ArtifactWriter.YAML;
import static dev.batchinfer.trainer.ArtifactWriter.asDouble;
import static dev.batchinfer.trainer.ArtifactWriter.ordered;
import static dev.batchinfer.trainer.ArtifactWriter.round;
import static dev.batchinfer.trainer.ArtifactWriter.write;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batchinfer.models.InputSpec;
import dev.batchinfer.models.ModelConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The files beside the language-id SavedModel; text built here so tests can check their shapes. */
public final class LanguageIdArtifacts {

  public static final int MAX_BYTES = 4096;

  private LanguageIdArtifacts() {}

  public static String description(LanguageIdGraph.Dims d) {
    return ("Language identification of UTF-8 text (%d languages); in-graph lower-casing, non-letters to spaces, "
        + "character %d-%d-grams hashed to 2^%d buckets, mean of %d-dim embeddings, linear softmax")
        .formatted(d.classes(), d.minN(), d.maxN(), d.bucketBits(), d.embedding());
  }

  /** The language-id config.yaml: one UTF-8 string in, a probability per language out. */
  public static ModelConfig config(String version, String description, List<String> labels) {
    return new ModelConfig(LanguageIdArgs.MODEL, version, description, SavedModelExporter.SIGNATURE_KEY,
        new InputSpec(TextModelEvaluator.INPUT, "string", List.of(), null, null, MAX_BYTES),
        ArtifactWriter.output(labels), ArtifactWriter.BATCHING, Map.of("supported_languages", List.copyOf(labels)),
        null);
  }

  /**
   * evaluation_report.json. The headline numbers ({@code accuracy}, {@code min20}, {@code by_length},
   * {@code per_language}, the confusion matrices) are measured on the committed heldout.tsv, so
   * anyone can re-measure them from the repository; {@code full_test_split} gives the same
   * measures on every held-out string this machine's catalogues yielded.
   */
  public static String evaluationJson(String version, String versionDirName, List<String> labels,
                                      LanguageIdMetrics.Measured committed, int committedItems,
                                      LanguageIdMetrics.Measured full, int batchSize, double maxRowSumError,
                                      List<String> testFamilies) {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", LanguageIdArgs.MODEL);
    root.put("version", version);
    root.put("dataset", "held-out catalogue families " + testFamilies
        + " (no string of them used in training; texts also found in a training catalogue removed)");
    root.put("heldout_file", HeldoutTsv.FILE);
    root.put("measured_through", "fresh SavedModelBundle load of " + versionDirName + ", tag "
        + SavedModelExporter.TAG + ", signature " + SavedModelExporter.SIGNATURE_KEY + ", raw UTF-8 strings, batches of "
        + batchSize);
    root.put("length_unit", "Unicode code points of the text in heldout.tsv");
    root.put("num_test_items", committed.all().total());
    root.put("correct", committed.all().correct());
    root.put("accuracy", round(committed.all().accuracy()));
    root.set("min20", summary(committed.min20()));
    ObjectNode buckets = root.putObject("by_length");
    committed.buckets().forEach((b, cm) -> buckets.set(b.label, summary(cm)));
    ObjectNode perLanguage = root.putObject("per_language");
    for (int c = 0; c < labels.size(); c++) {
      ObjectNode node = perLanguage.putObject(labels.get(c));
      node.put("label", c);
      node.put("support", committed.all().support(c));
      node.put("recall", round(committed.all().recall(c)));
      node.put("precision", round(committed.all().precision(c)));
      node.put("support_min20", committed.min20().support(c));
      node.put("recall_min20", round(committed.min20().recall(c)));
      node.put("precision_min20", round(committed.min20().precision(c)));
    }
    root.set("confusion_matrix", matrix(committed.all(), labels, "all held-out items", 1));
    root.set("confusion_matrix_min20", matrix(committed.min20(), labels, "held-out items of >= 20 characters", 1));

    ObjectNode fullNode = root.putObject("full_test_split");
    fullNode.put("note", "every held-out string from this machine's catalogues (heldout.tsv is a per-language sample of "
        + "these); depends on the installed packages, so tests re-measure heldout.tsv instead");
    fullNode.put("num_test_items", full.all().total());
    fullNode.put("correct", full.all().correct());
    fullNode.put("accuracy", round(full.all().accuracy()));
    fullNode.set("min20", summary(full.min20()));
    ObjectNode fullBuckets = fullNode.putObject("by_length");
    full.buckets().forEach((b, cm) -> fullBuckets.set(b.label, summary(cm)));
    ObjectNode fullPer = fullNode.putObject("per_language_min20");
    for (int c = 0; c < labels.size(); c++) {
      ObjectNode node = fullPer.putObject(labels.get(c));
      node.put("support", full.min20().support(c));
      node.put("recall", round(full.min20().recall(c)));
      node.put("precision", round(full.min20().precision(c)));
    }
    fullNode.set("confusion_matrix_min20", matrix(full.min20(), labels, "held-out items of >= 20 characters", 2));
    root.put("probability_row_sum_max_error", maxRowSumError);
    if (committed.all().total() != committedItems) {
      throw new IllegalStateException("committed metrics cover " + committed.all().total() + " of " + committedItems);
    }
    return write(JSON, root);
  }

  private static ObjectNode summary(ConfusionMatrix cm) {
    ObjectNode n = JSON.createObjectNode();
    n.put("items", cm.total());
    n.put("correct", cm.correct());
    n.put("accuracy", round(cm.accuracy()));
    return n;
  }

  /** {@code depth}: nesting level of the matrix object, so the raw rows line up with Jackson's indent. */
  private static ObjectNode matrix(ConfusionMatrix cm, List<String> labels, String what, int depth) {
    ObjectNode m = JSON.createObjectNode();
    m.put("items", what);
    ArtifactWriter.putMatrix(m, cm, labels, depth);
    return m;
  }

  /** training_config.yaml. */
  public static String trainingConfigYaml(LanguageIdArgs args, LanguageIdTrainer.Outcome outcome,
                                          Map<String, Integer> trainPerLanguage, String tensorflowVersion) {
    LanguageIdGraph.Dims d = args.dims();
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model", LanguageIdArgs.MODEL);
    root.put("version", args.version());
    root.put("labels", args.labels());
    root.put("architecture", ordered(
        "type", "hashed character n-gram embedding bag (fastText-style), linear softmax",
        "preprocessing_in_graph", List.of(
            "Lower(encoding=utf-8)",
            "RegexReplace [^\\p{L}\\p{M}]+ -> ' ' then trim",
            "Substr first %d characters (UTF8_CHAR)".formatted(d.maxChars()),
            "pad one space each side",
            "UnicodeDecode UTF-8 (invalid bytes -> U+FFFD)",
            "character n-grams of width %d..%d within each string".formatted(d.minN(), d.maxN()),
            "hash: h = (h * 1000003 + c) mod (2^31 - 1) over the n-gram; bucket = ((h * 2654435761 + n * 40503) "
                + "mod 2^32) >> (32 - %d)".formatted(d.bucketBits())),
        "ngram_widths", List.of(d.minN(), d.maxN()),
        "buckets", d.buckets(),
        "embedding_dim", d.embedding(),
        "pooling", "mean over the string's n-grams (UnsortedSegmentSum / count, DivNoNan)",
        "output", "dense %d -> %d, softmax".formatted(d.embedding(), d.classes()),
        "parameters", outcome.weights().parameterCount()));
    root.put("optimizer", ArtifactWriter.scheduledAdam());
    root.put("loss", ArtifactWriter.LOSS);
    root.put("learning_rate", asDouble(args.learningRate()));
    root.put("learning_rate_schedule", "cosine decay per step from %s to %s x that over all steps"
        .formatted(Float.toString(args.learningRate()), Float.toString(args.learningRateFloor())));
    root.put("epochs", args.epochs());
    root.put("batch_size", args.batchSize());
    root.put("seed", args.seed());
    root.put("weight_init", "uniform embeddings and glorot uniform output kernel, zero bias (SplittableRandom from seed)");
    root.put("data", ordered(
        "split", "by catalogue family: SHA-256(\"%s:\" + family) mod 100 < %d -> test".formatted(args.splitSalt(),
            args.testPercent()),
        "validation_percent", args.validationPercent(),
        "max_train_per_language", args.maxTrainPerLanguage(),
        "heldout_per_language", args.heldoutPerLanguage(),
        "excluded_catalogues", args.excludePrefix().isEmpty() ? "none" : args.excludePrefix() + "*",
        "train_items_per_language", trainPerLanguage));
    root.put("train_items", outcome.trainItems());
    if (!outcome.validationAccuracy().isEmpty()) {
      root.put("epoch_validation_accuracy", outcome.validationAccuracy().stream().map(ArtifactWriter::round).toList());
    }
    ArtifactWriter.putRun(root, outcome.steps(), outcome.epochLosses(), outcome.seconds(), tensorflowVersion);
    return write(YAML, root);
  }

  /** data_manifest.json: where every string came from, with hashes, and the counts per step. */
  public static String dataManifestJson(LanguageIdArgs args, LanguageIdCorpus.Corpus corpus,
                                        Map<String, String> owners, Map<String, Integer> trainUsed,
                                        Map<String, Integer> heldoutCommitted) {
    ObjectNode root = JSON.createObjectNode();
    root.put("dataset", "language-id gettext catalogues");
    root.put("source", "translated gettext catalogues (" + args.localeDir()
        + "/<locale>/LC_MESSAGES/*.mo) installed by the Debian packages listed per file; msgstr = text in the "
        + "language, msgid = English text");
    root.put("selection", "first translation of each message; skipped: header, empty or untranslated "
        + "(msgstr == msgid) entries, < 2 letters after removing placeholders/markup/accelerators, catalogues "
        + (args.excludePrefix().isEmpty() ? "none" : args.excludePrefix() + "*")
        + "; texts under more than one label dropped; test texts also in a training catalogue dropped");
    ObjectNode langs = root.putObject("languages");
    for (LanguageIdCorpus.Language l : args.languages()) {
      langs.put(l.label(), l.locales().isEmpty() ? "msgids of all catalogues below" : String.join(", ", l.locales()));
    }
    root.putPOJO("test_families", corpus.testFamilies());
    root.putPOJO("train_families", corpus.trainFamilies());
    ObjectNode counts = root.putObject("counts");
    corpus.counts().forEach((label, bySplit) -> {
      ObjectNode node = counts.putObject(label);
      bySplit.forEach((split, c) -> {
        ObjectNode s = node.putObject(split);
        s.put("catalogue_families", c.catalogues());
        s.put("unique_strings", c.uniqueStrings());
        s.put("dropped_ambiguous", c.ambiguousDropped());
        s.put("dropped_seen_in_training", c.seenInTrainingDropped());
        s.put("kept", c.kept());
      });
      node.put("train_used", trainUsed.getOrDefault(label, 0));
      node.put("heldout_committed", heldoutCommitted.getOrDefault(label, 0));
    });
    List<LanguageIdCorpus.CatalogueFile> files = new ArrayList<>(corpus.files());
    files.sort(Comparator.comparing(LanguageIdCorpus.CatalogueFile::path));
    StringBuilder listing = new StringBuilder();
    for (LanguageIdCorpus.CatalogueFile f : files) {
      listing.append(f.path()).append('\t').append(f.sha256()).append('\n');
    }
    root.put("files_sha256", Sha256.ofBytes(listing.toString().getBytes(StandardCharsets.UTF_8)));
    root.put("files_sha256_of", "SHA-256 of the lines 'path<TAB>sha256<LF>' of all files below, sorted by path");
    root.put("file_count", files.size());
    ArrayNode list = root.putArray("files");
    for (LanguageIdCorpus.CatalogueFile f : files) {
      ObjectNode n = list.addObject();
      n.put("path", f.path());
      n.put("package", owners.get(f.path()));
      n.put("label", f.label());
      n.put("family", f.family());
      n.put("split", f.split());
      n.put("bytes", f.bytes());
      n.put("sha256", f.sha256());
      n.put("translated_strings", f.strings());
    }
    return write(JSON, root);
  }
}
