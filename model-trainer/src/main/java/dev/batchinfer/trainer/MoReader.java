package dev.batchinfer.trainer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads GNU gettext binary catalogues (.mo).
 *
 * <p>Layout (all integers 32-bit, in the byte order the magic number reveals): magic
 * {@code 0x950412de}, revision (major 0 or 1), number of strings N, offset of the original-string
 * table, offset of the translation table (then hash-table size and offset, unused here). Each
 * table holds N (length, offset) pairs pointing at NUL-terminated strings. An original may carry a
 * context ({@code msgctxt EOT msgid}) and a plural ({@code msgid NUL msgid_plural}); a translation
 * of a plural entry holds its forms separated by NUL. The entry with an empty msgid is the header
 * (metadata such as {@code Content-Type: text/plain; charset=UTF-8}).
 */
public final class MoReader {

  static final int MAGIC = 0x950412de;
  private static final Pattern CHARSET = Pattern.compile("charset=([^\\s;]+)", Pattern.CASE_INSENSITIVE);

  private MoReader() {}

  /**
   * One translated message. {@code forms} holds the translation (several forms for a plural
   * entry, in the catalogue's plural order); {@code plural} is null unless the entry has one.
   */
  public record Message(String context, String msgid, String plural, List<String> forms) {
    /** The first (singular) translation; empty if the catalogue left it untranslated. */
    public String translation() {
      return forms.isEmpty() ? "" : forms.get(0);
    }
  }

  /** A parsed catalogue: its header (metadata) text and its messages, header excluded. */
  public record Catalogue(String header, Charset charset, List<Message> messages) {}

  public static Catalogue read(Path file) throws IOException {
    return read(Files.readAllBytes(file), file.toString());
  }

  public static Catalogue read(byte[] bytes, String what) throws IOException {
    if (bytes.length < 20) {
      throw new IOException(what + ": too short for a .mo header");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int magic = buf.getInt(0);
    if (magic != MAGIC) {
      buf.order(ByteOrder.BIG_ENDIAN);
      if (buf.getInt(0) != MAGIC) {
        throw new IOException(String.format("%s: not a .mo file (magic 0x%08x)", what, magic));
      }
    }
    int revision = buf.getInt(4);
    if ((revision >>> 16) > 1) {
      throw new IOException(what + ": unsupported .mo major revision " + (revision >>> 16));
    }
    int count = buf.getInt(8);
    int originals = buf.getInt(12);
    int translations = buf.getInt(16);
    if (count < 0 || (long) originals + 8L * count > bytes.length || (long) translations + 8L * count > bytes.length
        || originals < 0 || translations < 0) {
      throw new IOException(what + ": string tables lie outside the file");
    }
    // Decode with the header's charset: read the raw strings first, find the header, then decode.
    byte[][] ids = new byte[count][];
    byte[][] strs = new byte[count][];
    int headerIndex = -1;
    for (int i = 0; i < count; i++) {
      ids[i] = slice(bytes, buf, originals + 8 * i, what);
      strs[i] = slice(bytes, buf, translations + 8 * i, what);
      if (ids[i].length == 0) {
        headerIndex = i;
      }
    }
    String header = headerIndex < 0 ? "" : new String(strs[headerIndex], StandardCharsets.UTF_8);
    Charset charset = charsetOf(header);
    List<Message> messages = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      if (i == headerIndex) {
        continue;
      }
      String original = new String(ids[i], charset);
      String context = null;
      int eot = original.indexOf('\u0004');
      if (eot >= 0) {
        context = original.substring(0, eot);
        original = original.substring(eot + 1);
      }
      String plural = null;
      int nul = original.indexOf('\0');
      if (nul >= 0) {
        plural = original.substring(nul + 1);
        original = original.substring(0, nul);
      }
      String translation = new String(strs[i], charset);
      List<String> forms = translation.isEmpty() ? List.of() : List.of(translation.split("\0", -1));
      messages.add(new Message(context, original, plural, forms));
    }
    return new Catalogue(header, charset, List.copyOf(messages));
  }

  /** The charset a header declares; UTF-8 if none or unknown (CHARSET placeholders included). */
  static Charset charsetOf(String header) {
    Matcher m = CHARSET.matcher(header);
    if (!m.find()) {
      return StandardCharsets.UTF_8;
    }
    try {
      return Charset.forName(m.group(1).toUpperCase(Locale.ROOT));
    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
      return StandardCharsets.UTF_8;
    }
  }

  private static byte[] slice(byte[] bytes, ByteBuffer buf, int entry, String what) throws IOException {
    int length = buf.getInt(entry);
    int offset = buf.getInt(entry + 4);
    if (length < 0 || offset < 0 || (long) offset + length > bytes.length) {
      throw new IOException(what + ": string at table entry " + entry + " lies outside the file");
    }
    byte[] out = new byte[length];
    System.arraycopy(bytes, offset, out, 0, length);
    return out;
  }
}
