package dev.batchinfer.bench.run;

import dev.batchinfer.models.Batching;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.models.ModelConfigYaml;
import dev.batchinfer.trainer.NamedWeights;
import dev.batchinfer.trainer.SavedModelExporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TUint8;

/**
 * The models the benchmark serves, in a folder of their own: the committed Fashion-MNIST MLP
 * (1.0.0) and CNN (2.0.0), and a trivial model generated here, whose cost is next to nothing so
 * that a run through it measures the pipeline alone.
 */
public final class BenchModels {

  public static final String FASHION = "fashion-mnist";
  public static final String MLP = "1.0.0";
  public static final String CNN = "2.0.0";
  public static final String TRIVIAL = "bench-trivial";
  public static final String TRIVIAL_VERSION = "1.0.0";
  /** Bytes per trivial item: four uint8 values. */
  public static final int TRIVIAL_INPUT = 4;

  private BenchModels() {}

  /** Copies the committed models from {@code repoArtifacts} and writes the trivial one; returns the folder. */
  public static Path prepare(Path repoArtifacts, Path dir) {
    try {
      copyTree(repoArtifacts.resolve(FASHION).resolve(MLP), dir.resolve(FASHION).resolve(MLP));
      copyTree(repoArtifacts.resolve(FASHION).resolve(CNN), dir.resolve(FASHION).resolve(CNN));
      writeTrivial(dir.resolve(TRIVIAL).resolve(TRIVIAL_VERSION));
      Files.writeString(dir.resolve("registry.yaml"), """
          models:
            fashion-mnist:
              production: 2.0.0
              staging: [1.0.0]
            bench-trivial:
              production: 1.0.0
          """);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A copy of the prepared folder {@code artifacts} in which the CNN's config.yaml has
   * {@code allowed_batch_sizes: allowed}: a worker started on it pads the CNN's calls to those sizes.
   */
  public static Path withAllowedSizes(Path artifacts, Path dir, java.util.List<Integer> allowed) {
    try {
      copyTree(artifacts, dir);
      Path file = dir.resolve(FASHION).resolve(CNN).resolve("config.yaml");
      ModelConfig c = ModelConfigYaml.read(file);
      Batching b = c.batching();
      Files.writeString(file, ModelConfigYaml.write(new ModelConfig(c.model(), c.version(), c.description(),
          c.signature(), c.input(), c.output(), new Batching(b.maxBatchSize(), b.preferredBatchSizes(), allowed,
              b.batchCost()), c.metadata(), null)));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** softmax(input * 0.01): four classes straight from the four input bytes. */
  private static void writeTrivial(Path dir) throws IOException {
    NamedWeights weights = new NamedWeights().add("scale", Shape.of(1), new float[] {0.01f});
    SavedModelExporter.export(dir, weights, "x", TUint8.class, Shape.of(-1, TRIVIAL_INPUT),
        (tf, x, w) -> tf.math.mul(tf.dtypes.cast(x, org.tensorflow.types.TFloat32.class), w.get("scale")));
    Files.writeString(dir.resolve("config.yaml"), """
        model: bench-trivial
        version: 1.0.0
        description: Benchmark-only model, softmax(x * 0.01) of four bytes; measures the pipeline, not a model
        signature: serving_default
        input:
          name: x
          dtype: uint8
          shape: [4]
          min: 0
          max: 255
        output:
          name: probabilities
          top_k: 1
          labels: [a, b, c, d]
        batching:
          max_batch_size: 4096
          preferred_batch_sizes: [1024, 2048, 4096]
        """);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    if (!Files.isDirectory(from)) {
      throw new IOException(from + " is missing: run the benchmark from the repository root or pass --models");
    }
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
