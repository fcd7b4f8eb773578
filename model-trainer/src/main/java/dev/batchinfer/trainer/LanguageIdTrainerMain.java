package dev.batchinfer.trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TString;

/**
 * Trains and publishes {@code <out>/language-id/<version>/}: the SavedModel (preprocessing in the
 * graph), config.yaml, evaluation_report.json (measured through the exported SavedModel, loaded
 * fresh), training_config.yaml, data_manifest.json and the committed held-out sample heldout.tsv.
 */
final class LanguageIdTrainerMain {

  private static final Logger log = LoggerFactory.getLogger(LanguageIdTrainerMain.class);
  static final int EVAL_BATCH_SIZE = 512;

  private LanguageIdTrainerMain() {}

  static void run(LanguageIdArgs args) throws Exception {
    long wallStart = System.nanoTime();
    Path versionDir = args.versionDir().toAbsolutePath().normalize();
    if (ModelDirs.isNonEmptyDir(versionDir) && !args.overwrite()) {
      throw new IllegalStateException(versionDir + " already exists; bump --version or pass --overwrite");
    }
    List<String> labels = args.labels();
    log.info("TensorFlow {}; training language-id {} for {} ({}), output {}", TensorFlow.version(), args.version(),
        labels, args.dims(), versionDir);

    LanguageIdCorpus.Corpus corpus = LanguageIdCorpus.load(args.corpusSpec());
    log.info("read {} catalogue files: {} training and {} held-out strings; test families {}", corpus.files().size(),
        corpus.train().size(), corpus.test().size(), corpus.testFamilies());
    corpus.counts().forEach((label, c) -> log.info("  {}: {}", label, c));

    Seeds seeds = new Seeds(args.seed());
    SplittableRandom data = seeds.data();
    // Optional validation: whole training families set aside, for choosing settings without the test set.
    List<LanguageIdCorpus.Sample> trainPool = new ArrayList<>();
    List<LanguageIdCorpus.Sample> validation = new ArrayList<>();
    for (LanguageIdCorpus.Sample s : corpus.train()) {
      boolean val = args.validationPercent() > 0
          && LanguageIdSplit.isTest(s.family(), args.splitSalt() + "/validation", args.validationPercent());
      (val ? validation : trainPool).add(s);
    }
    List<LanguageIdCorpus.Sample> train = capPerLabel(trainPool, labels, args.maxTrainPerLanguage(), data);
    Map<String, Integer> trainPerLanguage = countPerLabel(train, labels);
    log.info("training on {} strings {}{}", train.size(), trainPerLanguage,
        validation.isEmpty() ? "" : ", validating on " + validation.size());

    LanguageIdTrainer.Config config = new LanguageIdTrainer.Config(args.dims(), args.epochs(), args.batchSize(),
        args.learningRate(), args.learningRateFloor(), args.seed());
    LanguageIdTrainer.Outcome outcome = new LanguageIdTrainer(config).train(
        train.stream().map(LanguageIdCorpus.Sample::text).toList(), indices(train, labels),
        validation.stream().map(LanguageIdCorpus.Sample::text).toList(), indices(validation, labels), seeds);
    log.info("trained in {} s ({} steps)", String.format("%.1f", outcome.seconds()), outcome.steps());

    Path staging = ModelDirs.stagingFor(versionDir);
    ModelDirs.deleteRecursively(staging);
    LanguageIdGraph.Dims dims = args.dims();
    SavedModelExporter.export(staging, outcome.weights(), TextModelEvaluator.INPUT, TString.class, Shape.of(-1),
        (tf, text, w) -> LanguageIdGraph.logits(tf, text, w, dims));
    long savedModelBytes = ModelDirs.savedModelBytes(staging);
    if (savedModelBytes > TrainerMain.maxLeanBytes(outcome.weights().parameterCount())) {
      throw new IllegalStateException("SavedModel is " + savedModelBytes + " bytes for "
          + outcome.weights().parameterCount() + " parameters: not lean");
    }

    List<LanguageIdCorpus.Sample> heldout = capPerLabel(corpus.test(), labels, args.heldoutPerLanguage(), data);
    TextModelEvaluator.Predictions committedPredictions = TextModelEvaluator.predict(staging,
        heldout.stream().map(LanguageIdCorpus.Sample::text).toList(), labels.size(), EVAL_BATCH_SIZE);
    LanguageIdMetrics.Measured committed = LanguageIdMetrics.measure(heldout, committedPredictions.predicted(), labels);
    TextModelEvaluator.Predictions fullPredictions = TextModelEvaluator.predict(staging,
        corpus.test().stream().map(LanguageIdCorpus.Sample::text).toList(), labels.size(), EVAL_BATCH_SIZE);
    LanguageIdMetrics.Measured full = LanguageIdMetrics.measure(corpus.test(), fullPredictions.predicted(), labels);
    log.info("held-out accuracy through the exported SavedModel: committed sample {} ({} items), >= 20 chars {}; "
            + "full test split {} ({} items), >= 20 chars {}",
        pct(committed.all()), committed.all().total(), pct(committed.min20()),
        pct(full.all()), full.all().total(), pct(full.min20()));
    committed.buckets().forEach((b, cm) -> log.info("  committed {}: {} ({} items); full: {} ({} items)", b.label,
        pct(cm), cm.total(), pct(full.buckets().get(b)), full.buckets().get(b).total()));

    HeldoutTsv.write(staging.resolve(HeldoutTsv.FILE), heldout);
    ArtifactWriter.writeTo(staging, ArtifactWriter.CONFIG,
        ArtifactWriter.configYaml(LanguageIdArtifacts.config(args.version(), LanguageIdArtifacts.description(dims),
            labels)));
    ArtifactWriter.writeTo(staging, ArtifactWriter.EVALUATION, LanguageIdArtifacts.evaluationJson(args.version(),
        versionDir.getFileName().toString(), labels, committed, heldout.size(), full, EVAL_BATCH_SIZE,
        Math.max(committedPredictions.maxRowSumError(), fullPredictions.maxRowSumError()), corpus.testFamilies()));
    ArtifactWriter.writeTo(staging, ArtifactWriter.TRAINING_CONFIG,
        LanguageIdArtifacts.trainingConfigYaml(args, outcome, trainPerLanguage, TensorFlow.version()));
    Map<String, String> owners = DebianPackages.owners(corpus.files().stream()
        .map(LanguageIdCorpus.CatalogueFile::path).collect(Collectors.toSet()));
    ArtifactWriter.writeTo(staging, ArtifactWriter.DATA_MANIFEST, LanguageIdArtifacts.dataManifestJson(args, corpus,
        owners, trainPerLanguage, countPerLabel(heldout, labels)));

    ModelDirs.publish(staging, versionDir);
    log.info("published {}: SavedModel {} KB, folder {} KB, total run {} s", versionDir, savedModelBytes / 1024,
        ModelDirs.sizeInBytes(versionDir) / 1024, String.format("%.1f", (System.nanoTime() - wallStart) / 1e9));
    if (!Files.isRegularFile(versionDir.resolve("saved_model.pb"))) {
      throw new IllegalStateException("publish failed: no saved_model.pb in " + versionDir);
    }
  }

  /**
   * At most {@code max} samples per label, chosen uniformly with {@code random}, kept in label
   * order and, within a label, in corpus order (so the output does not depend on hash order).
   */
  static List<LanguageIdCorpus.Sample> capPerLabel(List<LanguageIdCorpus.Sample> samples, List<String> labels, int max,
                                                   SplittableRandom random) {
    List<LanguageIdCorpus.Sample> out = new ArrayList<>();
    for (String label : labels) {
      List<LanguageIdCorpus.Sample> mine = samples.stream().filter(s -> s.label().equals(label)).toList();
      if (mine.size() <= max) {
        out.addAll(mine);
        continue;
      }
      int[] idx = new int[mine.size()];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = i;
      }
      // Partial Fisher-Yates: the first max positions become a uniform sample.
      for (int i = 0; i < max; i++) {
        int j = i + random.nextInt(idx.length - i);
        int t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
      }
      int[] chosen = java.util.Arrays.copyOf(idx, max);
      java.util.Arrays.sort(chosen);
      for (int i : chosen) {
        out.add(mine.get(i));
      }
    }
    return out;
  }

  static Map<String, Integer> countPerLabel(List<LanguageIdCorpus.Sample> samples, List<String> labels) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    labels.forEach(l -> counts.put(l, 0));
    samples.forEach(s -> counts.merge(s.label(), 1, Integer::sum));
    return counts;
  }

  private static int[] indices(List<LanguageIdCorpus.Sample> samples, List<String> labels) {
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      index.put(labels.get(i), i);
    }
    return samples.stream().mapToInt(s -> index.get(s.label())).toArray();
  }

  private static String pct(ConfusionMatrix cm) {
    return String.format("%.2f %%", 100 * cm.accuracy());
  }
}
