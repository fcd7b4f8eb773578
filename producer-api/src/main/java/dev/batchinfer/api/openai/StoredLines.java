package dev.batchinfer.api.openai;

import dev.batchinfer.store.openai.UploadedFiles;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.NoSuchElementException;

/** The lines of a stored file, read a few pieces at a time; blank lines are skipped (their numbers still count). */
final class StoredLines implements Iterator<StoredLines.Line> {

  /** One line of the file, numbered from 1. */
  record Line(long number, String text) {}

  private static final int PIECES_PER_READ = 8;

  private final UploadedFiles files;
  private final UploadedFiles.StoredFile file;
  private final Deque<String> pieces = new ArrayDeque<>();
  private int nextPiece;
  private String piece = "";
  private int at;
  private long number;
  private Line next;

  StoredLines(UploadedFiles files, UploadedFiles.StoredFile file) {
    this.files = files;
    this.file = file;
  }

  @Override
  public boolean hasNext() {
    while (next == null) {
      if (at >= piece.length()) {
        if (pieces.isEmpty()) {
          if (nextPiece >= file.parts()) {
            return false;
          }
          int to = Math.min(file.parts(), nextPiece + PIECES_PER_READ);
          pieces.addAll(files.pieces(file.id(), nextPiece, to));
          nextPiece = to;
          if (pieces.isEmpty()) {
            throw new IllegalStateException("file " + file.id() + " lost its content while it was read");
          }
        }
        piece = pieces.poll();
        at = 0;
        continue;
      }
      int end = piece.indexOf('\n', at);
      String text = piece.substring(at, end < 0 ? piece.length() : end);
      at = end < 0 ? piece.length() : end + 1;
      number++;
      if (text.endsWith("\r")) {
        text = text.substring(0, text.length() - 1);
      }
      if (!text.isBlank()) {
        next = new Line(number, text);
      }
    }
    return true;
  }

  @Override
  public Line next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Line l = next;
    next = null;
    return l;
  }
}
