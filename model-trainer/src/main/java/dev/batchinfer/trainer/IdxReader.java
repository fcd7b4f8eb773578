package dev.batchinfer.trainer;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the gzip-compressed IDX files that MNIST-style datasets ship as.
 *
 * <p>IDX is big-endian: a magic word whose third byte is the element type (0x08 = unsigned byte)
 * and whose fourth byte is the number of dimensions, then one 32-bit size per dimension, then the
 * data in row-major order. Pixels stay raw unsigned bytes here because the serving contract feeds
 * raw 0-255 values and the graph does the scaling; normalising in Java would split that rule in two.
 */
public final class IdxReader {

  static final int UNSIGNED_BYTE = 0x08;

  private IdxReader() {}

  /** Images of an idx3 file: {@code count} images of {@code rows x cols} pixels, row-major. */
  public record Images(int count, int rows, int cols, byte[] pixels) {
    public int pixelsPerImage() {
      return rows * cols;
    }
  }

  public static Images readImages(Path gzFile) throws IOException {
    try (InputStream in = open(gzFile)) {
      return readImages(in);
    }
  }

  public static byte[] readLabels(Path gzFile) throws IOException {
    try (InputStream in = open(gzFile)) {
      return readLabels(in);
    }
  }

  /** Reads an uncompressed idx3-ubyte stream. */
  public static Images readImages(InputStream raw) throws IOException {
    DataInputStream in = new DataInputStream(raw);
    int[] dims = readHeader(in, 3);
    int count = dims[0];
    int rows = dims[1];
    int cols = dims[2];
    byte[] pixels = new byte[Math.multiplyExact(Math.multiplyExact(count, rows), cols)];
    readFully(in, pixels);
    return new Images(count, rows, cols, pixels);
  }

  /** Reads an uncompressed idx1-ubyte stream. */
  public static byte[] readLabels(InputStream raw) throws IOException {
    DataInputStream in = new DataInputStream(raw);
    int[] dims = readHeader(in, 1);
    byte[] labels = new byte[dims[0]];
    readFully(in, labels);
    return labels;
  }

  private static InputStream open(Path gzFile) throws IOException {
    return new GZIPInputStream(new BufferedInputStream(Files.newInputStream(gzFile)), 1 << 16);
  }

  private static int[] readHeader(DataInputStream in, int expectedDims) throws IOException {
    int magic = in.readInt();
    // The first two bytes of the magic word are always zero in IDX.
    if ((magic >>> 16) != 0) {
      throw new IOException(String.format("not an IDX file (magic 0x%08x)", magic));
    }
    int type = (magic >>> 8) & 0xff;
    int dimCount = magic & 0xff;
    if (type != UNSIGNED_BYTE) {
      throw new IOException(String.format("unsupported IDX element type 0x%02x, expected ubyte", type));
    }
    if (dimCount != expectedDims) {
      throw new IOException("expected " + expectedDims + " IDX dimensions, found " + dimCount);
    }
    int[] dims = new int[dimCount];
    for (int i = 0; i < dimCount; i++) {
      dims[i] = in.readInt();
      if (dims[i] < 0) {
        throw new IOException("negative IDX dimension " + dims[i]);
      }
    }
    return dims;
  }

  private static void readFully(DataInputStream in, byte[] target) throws IOException {
    try {
      in.readFully(target);
    } catch (EOFException e) {
      throw new IOException("IDX file is shorter than its header says (" + target.length + " bytes)", e);
    }
  }
}
