package dev.batchinfer.api.openai;

import dev.batchinfer.api.problem.ApiException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts a stream of bytes into pieces of whole lines, each decoded as strict UTF-8: a piece is cut at its last line
 * end once it reaches {@link #PIECE_BYTES}, so a line end (one byte in UTF-8) never splits a character. Memory holds
 * one piece and the line being read.
 */
final class LinePieces {

  static final int PIECE_BYTES = 256 * 1024;

  /** The bytes are not UTF-8, or a line is too long: a 400 naming the file part. */
  static final class BadTextException extends ApiException {
    BadTextException(String message) {
      super("file", message);
    }
  }

  private final int maxLineBytes;
  private final Consumer<String> sink;
  private byte[] buf = new byte[PIECE_BYTES + 8192];
  private int len;
  private long bytes;
  private long lines;
  private int lineStart; // where the line being read starts in buf
  private long lineNumber = 1;

  LinePieces(int maxLineBytes, Consumer<String> sink) {
    this.maxLineBytes = maxLineBytes;
    this.sink = sink;
  }

  void write(byte[] b, int off, int n) throws BadTextException {
    for (int i = 0; i < n; i++) {
      if (len == buf.length) {
        buf = java.util.Arrays.copyOf(buf, buf.length * 2); // only while one line is longer than a piece
      }
      byte c = b[off + i];
      buf[len++] = c;
      if (c == '\n') {
        lines++;
        lineNumber++;
        lineStart = len;
        if (len >= PIECE_BYTES) {
          emit(len);
        }
      } else if (len - lineStart > maxLineBytes) {
        throw new BadTextException("line " + lineNumber + " is longer than " + maxLineBytes + " bytes");
      }
    }
    bytes += n;
  }

  /** Sends what is left (a last line without a line end counts as a line). */
  void finish() throws BadTextException {
    if (len > lineStart) {
      lines++;
    }
    if (len > 0) {
      emit(len);
    }
  }

  long bytes() {
    return bytes;
  }

  long lines() {
    return lines;
  }

  private void emit(int end) throws BadTextException {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(buf, 0, end)).toString();
    } catch (CharacterCodingException e) {
      throw new BadTextException("the file is not UTF-8 text (before line " + lineNumber + ")");
    }
    sink.accept(text);
    System.arraycopy(buf, end, buf, 0, len - end);
    len -= end;
    lineStart -= end;
    if (buf.length > PIECE_BYTES + 8192 && len < PIECE_BYTES) {
      buf = java.util.Arrays.copyOf(buf, PIECE_BYTES + 8192);
    }
  }
}
