package dev.batchinfer.standalone;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;

/** An NDJSON body made line by line as it is read: never in memory as a whole, on either side. */
final class NdjsonLines extends InputStream {

  private static final String[] SENTENCES = {
      "Die Datei konnte nicht geöffnet werden, weil der Zugriff verweigert wurde. ",
      "Impossible d'ouvrir le fichier car l'accès a été refusé par le système. ",
      "No se pudo abrir el archivo porque el acceso fue denegado por el sistema. ",
      "The file could not be opened because access was denied by the system. "};

  private final IntFunction<String> line;
  private final int lines;
  private int next;
  private byte[] current = new byte[0];
  private int at;
  private long bytes;

  /** @param line the text of line {@code i} (0-based), without its newline */
  NdjsonLines(int lines, IntFunction<String> line) {
    this.lines = lines;
    this.line = line;
  }

  /** A language-id line of at least one sentence, about {@code chars} characters, with custom id {@code row-i}. */
  static String textLine(int i, int chars) {
    StringBuilder text = new StringBuilder(chars + 16);
    String sentence = SENTENCES[i % SENTENCES.length];
    do {
      text.append(sentence);
    } while (text.length() + sentence.length() < chars);
    text.append(i);
    return "{\"input\":{\"text\":\"" + text + "\"},\"custom_id\":\"row-" + i + "\"}";
  }

  /** Lines 0 to n-1 of {@link #textLine}, each with its newline. */
  static String text(int n, int chars) {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < n; i++) {
      body.append(textLine(i, chars)).append('\n');
    }
    return body.toString();
  }

  /** The language each {@link #textLine} is written in. */
  static String languageOf(int i) {
    return new String[] {"de", "fr", "es", "en"}[i % SENTENCES.length];
  }

  /** Bytes handed out so far. */
  long bytesRead() {
    return bytes;
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (at == current.length) {
      if (next == lines) {
        return -1;
      }
      current = (line.apply(next++) + "\n").getBytes(StandardCharsets.UTF_8);
      at = 0;
    }
    int n = Math.min(len, current.length - at);
    System.arraycopy(current, at, b, off, n);
    at += n;
    bytes += n;
    return n;
  }
}
