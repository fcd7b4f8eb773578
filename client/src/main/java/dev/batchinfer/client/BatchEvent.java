package dev.batchinfer.client;

/**
 * One server-sent event of a batch: {@code progress} while it runs, then one named by its final status. The id is
 * the number of items answered so far; a stream resumed with it as {@code Last-Event-ID} goes on from there.
 */
public record BatchEvent(String id, String type, Batch batch) {

  public boolean isFinal() {
    return !"progress".equals(type);
  }
}
