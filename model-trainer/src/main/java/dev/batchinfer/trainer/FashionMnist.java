package dev.batchinfer.trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where Fashion-MNIST lives on these machines and what its classes are called.
 *
 * <p>The label order is the dataset's own (index = label byte); serving code maps argmax to these
 * names through config.yaml, so the order must never change.
 */
public final class FashionMnist {

  public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  public static final String SOURCE = "Debian package dataset-fashion-mnist";
  public static final int ROWS = 28;
  public static final int COLS = 28;
  public static final int FEATURES = ROWS * COLS;

  public static final List<String> LABELS = List.of(
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  public static final int CLASSES = LABELS.size();

  private FashionMnist() {}

  /** The four files of the dataset, by role. */
  public enum DataFile {
    TRAIN_IMAGES("train-images-idx3-ubyte.gz"),
    TRAIN_LABELS("train-labels-idx1-ubyte.gz"),
    TEST_IMAGES("t10k-images-idx3-ubyte.gz"),
    TEST_LABELS("t10k-labels-idx1-ubyte.gz");

    public final String fileName;

    DataFile(String fileName) {
      this.fileName = fileName;
    }

    public Path in(Path dir) {
      return dir.resolve(fileName);
    }
  }

  /** Raw images plus labels; pixels row-major, {@code FEATURES} bytes per item. */
  public record Split(byte[] pixels, byte[] labels, int count) {
    public Split {
      if (pixels.length != (long) count * FEATURES || labels.length != count) {
        throw new IllegalArgumentException("pixels/labels do not match count " + count);
      }
    }

    public int label(int item) {
      return labels[item] & 0xff;
    }
  }

  public static Split train(Path dir) throws IOException {
    return load(DataFile.TRAIN_IMAGES.in(dir), DataFile.TRAIN_LABELS.in(dir));
  }

  public static Split test(Path dir) throws IOException {
    return load(DataFile.TEST_IMAGES.in(dir), DataFile.TEST_LABELS.in(dir));
  }

  static Split load(Path imagesFile, Path labelsFile) throws IOException {
    IdxReader.Images images = IdxReader.readImages(imagesFile);
    byte[] labels = IdxReader.readLabels(labelsFile);
    if (images.rows() != ROWS || images.cols() != COLS) {
      throw new IOException("expected 28x28 images, got " + images.rows() + "x" + images.cols());
    }
    if (images.count() != labels.length) {
      throw new IOException(images.count() + " images but " + labels.length + " labels");
    }
    for (byte b : labels) {
      if ((b & 0xff) >= CLASSES) {
        throw new IOException("label " + (b & 0xff) + " out of range");
      }
    }
    return new Split(images.pixels(), labels, images.count());
  }
}
