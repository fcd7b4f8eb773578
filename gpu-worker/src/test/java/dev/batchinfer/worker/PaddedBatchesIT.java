package dev.batchinfer.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.batchinfer.models.Batching;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.models.ModelConfigYaml;
import dev.batchinfer.worker.batch.ChunkFixtures;
import dev.batchinfer.worker.batch.ChunkSource;
import dev.batchinfer.worker.batch.MicroBatcher;
import dev.batchinfer.worker.batch.PendingChunk;
import dev.batchinfer.worker.infer.InferenceLoop;
import dev.batchinfer.worker.infer.LoadedModels;
import dev.batchinfer.worker.infer.ModelKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Allowed batch sizes on the real Fashion-MNIST CNN: 37 test images run once as a call of 37 rows
 * and once padded to 64 rows (allowed sizes 8, 16, 32, 64); every item gets the same result line,
 * and only the 37 real items are answered and counted.
 */
class PaddedBatchesIT {

  private static final Path ARTIFACTS = Path.of("../model-artifacts");
  private static final Path TEST_IMAGES = Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
  private static final ModelKey CNN = new ModelKey("fashion-mnist", "2.0.0");
  private static final int IMAGES = 37;

  @TempDir Path dir;

  /** What one run answered: each item's line, chunk by chunk, and what the worker's metrics counted. */
  private record Answers(List<String> lines, long succeeded, double batchItems, long batches, double padding) {}

  @Test
  void padded_calls_produce_exactly_the_unpadded_results_and_counts() throws Exception {
    byte[][] images = testImages(IMAGES);

    Answers unpadded = run(catalog("unpadded", null), images);
    Answers padded = run(catalog("padded", List.of(8, 16, 32, 64)), images);

    assertThat(unpadded.lines()).hasSize(IMAGES).allSatisfy(l -> assertThat(l).contains("\"result\":{\"label\":"));
    assertThat(padded.lines()).containsExactlyElementsOf(unpadded.lines());
    for (Answers a : List.of(unpadded, padded)) {
      assertThat(a.succeeded()).isEqualTo(IMAGES);
      assertThat(a.batches()).as("one model call").isEqualTo(1);
      assertThat(a.batchItems()).as("the micro-batch size records real items").isEqualTo(IMAGES);
    }
    assertThat(unpadded.padding()).isZero();
    assertThat(padded.padding()).as("37 items padded up to 64 rows").isEqualTo(64 - IMAGES);
  }

  /** A catalogue of the committed CNN alone, with these allowed batch sizes (none: null). */
  private ModelCatalog catalog(String name, List<Integer> allowed) throws IOException {
    Path committed = ARTIFACTS.resolve("fashion-mnist/2.0.0").toAbsolutePath();
    ModelConfig config = ModelConfigYaml.read(committed.resolve("config.yaml"));
    Batching b = config.batching();
    ModelConfig shaped = new ModelConfig(config.model(), config.version(), config.description(), config.signature(),
        config.input(), config.output(), new Batching(b.maxBatchSize(), b.preferredBatchSizes(), allowed, null),
        config.metadata(), null);
    Path version = Files.createDirectories(dir.resolve(name).resolve("fashion-mnist/2.0.0"));
    Files.writeString(version.resolve("config.yaml"), ModelConfigYaml.write(shaped));
    Files.copy(committed.resolve("saved_model.pb"), version.resolve("saved_model.pb"));
    Path variables = Files.createDirectories(version.resolve("variables"));
    try (var files = Files.list(committed.resolve("variables"))) {
      for (Path f : files.toList()) {
        Files.copy(f, variables.resolve(f.getFileName()));
      }
    }
    return ModelCatalog.load(dir.resolve(name));
  }

  /** The images in two chunks (20 and 17 items) through one inference loop, as the worker runs them. */
  private static Answers run(ModelCatalog catalog, byte[][] images) throws InterruptedException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<PendingChunk> chunks = List.of(
        ChunkFixtures.payloads(CNN, "b", 0, java.util.Arrays.copyOfRange(images, 0, 20)),
        ChunkFixtures.payloads(CNN, "b", 20, java.util.Arrays.copyOfRange(images, 20, images.length)));
    List<PendingChunk> done = new CopyOnWriteArrayList<>();
    try (LoadedModels models = LoadedModels.load(catalog, 1, 1)) {
      MicroBatcher batcher = MicroBatcher.shaped(512, 0, models::shape);
      InferenceLoop loop = new InferenceLoop(queued(chunks), batcher, models, done::add, chunk -> null,
          new WorkerMetrics(registry));
      Thread thread = new Thread(loop, "inference-test");
      thread.start();
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> done.size() == chunks.size());
      } finally {
        loop.stop();
        thread.join(Duration.ofSeconds(10).toMillis());
      }
    }
    assertThat(done).as("each chunk handed on once").containsExactlyInAnyOrderElementsOf(chunks);
    List<String> lines = new ArrayList<>();
    long succeeded = 0;
    for (PendingChunk c : chunks) {
      for (int i = 0; i < c.chunk().itemCount(); i++) {
        lines.add(c.line(i));
      }
      succeeded += c.succeededCount();
    }
    var size = registry.get("batchinfer.worker.microbatch.size").summary();
    var padding = registry.find("batchinfer.worker.padding.items").counter();
    return new Answers(lines, succeeded, size.totalAmount(), size.count(), padding == null ? 0 : padding.count());
  }

  private static ChunkSource queued(List<PendingChunk> chunks) {
    Deque<PendingChunk> queue = new ArrayDeque<>(chunks);
    return new ChunkSource() {
      @Override
      public synchronized PendingChunk poll() {
        return queue.pollFirst();
      }

      @Override
      public PendingChunk poll(long nanos) throws InterruptedException {
        PendingChunk c = poll();
        if (c == null) {
          Thread.sleep(Math.max(1, nanos / 1_000_000));
        }
        return c;
      }
    };
  }

  /** The first {@code n} images of the Fashion-MNIST test set (Debian package dataset-fashion-mnist). */
  private static byte[][] testImages(int n) throws IOException {
    assertThat(TEST_IMAGES).as("apt-get install dataset-fashion-mnist").exists();
    try (InputStream gz = new GZIPInputStream(Files.newInputStream(TEST_IMAGES));
         DataInputStream in = new DataInputStream(gz)) {
      assertThat(in.readInt()).as("idx3 magic").isEqualTo(0x803);
      in.readInt(); // count
      assertThat(in.readInt() * in.readInt()).isEqualTo(784);
      byte[][] images = new byte[n][784];
      for (byte[] image : images) {
        in.readFully(image);
      }
      return images;
    }
  }
}
