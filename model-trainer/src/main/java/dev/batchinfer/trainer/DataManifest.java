package dev.batchinfer.trainer;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which dataset bytes a model was trained and evaluated on. Hashes are taken of the files as
 * installed (the .gz), before reading, so the manifest describes exactly what was opened.
 */
public record DataManifest(String dataset, String source, List<Entry> files,
                           @JsonProperty("train_items") int trainItems,
                           @JsonProperty("test_items") int testItems) {

  public record Entry(String role, String path, long bytes, String sha256, int items) {}

  /** Hashes the four Fashion-MNIST files under {@code dir}; item counts come from the loaded splits. */
  public static DataManifest of(Path dir, FashionMnist.Split train, FashionMnist.Split test) throws IOException {
    List<Entry> entries = new ArrayList<>();
    for (FashionMnist.DataFile f : FashionMnist.DataFile.values()) {
      Path path = f.in(dir).toAbsolutePath();
      int items = switch (f) {
        case TRAIN_IMAGES, TRAIN_LABELS -> train.count();
        case TEST_IMAGES, TEST_LABELS -> test.count();
      };
      entries.add(new Entry(f.name().toLowerCase().replace('_', '-'), path.toString(),
          Files.size(path), Sha256.ofFile(path), items));
    }
    return new DataManifest("fashion-mnist", FashionMnist.SOURCE, List.copyOf(entries),
        train.count(), test.count());
  }
}
