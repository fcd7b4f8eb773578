package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

  @TempDir Path dir;

  @Test
  void reads_idx_images_row_major() throws IOException {
    // Two 2x3 images; pixel value = 10 * image + 3 * row + col, plus one value above 127.
    byte[] pixels = {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, (byte) 255};
    Path file = writeGz("images.gz", idx(0x0803, new int[] {2, 2, 3}, pixels));

    IdxReader.Images images = IdxReader.readImages(file);

    assertThat(images.count()).isEqualTo(2);
    assertThat(images.rows()).isEqualTo(2);
    assertThat(images.cols()).isEqualTo(3);
    assertThat(images.pixelsPerImage()).isEqualTo(6);
    assertThat(images.pixels()).containsExactly(pixels);
    // Second image, row 1, col 2 sits at 1*6 + 1*3 + 2 and keeps its unsigned value.
    assertThat(images.pixels()[11] & 0xff).isEqualTo(255);
  }

  @Test
  void reads_idx_labels() throws IOException {
    Path file = writeGz("labels.gz", idx(0x0801, new int[] {4}, new byte[] {9, 0, 3, 7}));

    assertThat(IdxReader.readLabels(file)).containsExactly(9, 0, 3, 7);
  }

  @Test
  void rejects_labels_file_read_as_images() throws IOException {
    Path file = writeGz("labels.gz", idx(0x0801, new int[] {1}, new byte[] {1}));

    assertThatThrownBy(() -> IdxReader.readImages(file))
        .isInstanceOf(IOException.class).hasMessageContaining("dimensions");
  }

  @Test
  void rejects_a_file_that_is_not_idx() throws IOException {
    Path file = writeGz("junk.gz", "hello world, not idx".getBytes());

    assertThatThrownBy(() -> IdxReader.readLabels(file))
        .isInstanceOf(IOException.class).hasMessageContaining("not an IDX file");
  }

  @Test
  void rejects_non_byte_element_types() throws IOException {
    Path file = writeGz("floats.gz", idx(0x0D01, new int[] {1}, new byte[4]));

    assertThatThrownBy(() -> IdxReader.readLabels(file))
        .isInstanceOf(IOException.class).hasMessageContaining("element type");
  }

  @Test
  void rejects_a_truncated_file() throws IOException {
    Path file = writeGz("short.gz", idx(0x0803, new int[] {2, 2, 2}, new byte[5]));

    assertThatThrownBy(() -> IdxReader.readImages(file))
        .isInstanceOf(IOException.class).hasMessageContaining("shorter");
  }

  @Test
  void loads_a_split_and_checks_labels_are_classes() throws IOException {
    byte[] image = new byte[FashionMnist.FEATURES];
    image[FashionMnist.FEATURES - 1] = 42;
    Path images = writeGz("i.gz", idx(0x0803, new int[] {1, 28, 28}, image));
    Path good = writeGz("l.gz", idx(0x0801, new int[] {1}, new byte[] {9}));
    Path bad = writeGz("b.gz", idx(0x0801, new int[] {1}, new byte[] {10}));

    FashionMnist.Split split = FashionMnist.load(images, good);

    assertThat(split.count()).isEqualTo(1);
    assertThat(split.label(0)).isEqualTo(9);
    assertThat(split.pixels()[783]).isEqualTo((byte) 42);
    assertThatThrownBy(() -> FashionMnist.load(images, bad)).hasMessageContaining("out of range");
  }

  static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    for (int d : dims) {
      out.writeInt(d);
    }
    out.write(data);
    return bytes.toByteArray();
  }

  private Path writeGz(String name, byte[] content) throws IOException {
    Path file = dir.resolve(name);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(content);
    }
    return file;
  }
}
