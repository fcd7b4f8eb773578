package dev.batchinfer.api.read;

import dev.batchinfer.store.batch.BatchRecord;
import dev.batchinfer.store.batch.BatchStores;
import dev.batchinfer.topics.message.BatchStatus;
import java.util.List;

/** A batch's result chunks as readers get them: a batch cut short answers the chunks no worker got to. */
public final class BatchResults {

  private BatchResults() {}

  /**
   * The stored chunks; for a batch that ended cancelled or expired, a chunk no worker got to is
   * answered here, every item with that reason, so the batch reads complete without waiting.
   */
  public static List<String> chunks(BatchStores store, BatchRecord batch, int from, int to) {
    boolean cutShort = batch.status() == BatchStatus.CANCELLED || batch.status() == BatchStatus.EXPIRED;
    if (!cutShort) {
      return store.results().read(batch.batchId(), from, to);
    }
    List<String> aligned = store.results().readAligned(batch.batchId(), from, to);
    List<String> out = new java.util.ArrayList<>(aligned.size());
    for (int i = 0; i < aligned.size(); i++) {
      String stored = aligned.get(i);
      out.add(stored != null ? stored : unfinished(batch, from + i));
    }
    return out;
  }

  private static String unfinished(BatchRecord batch, int chunk) {
    long start = batch.chunkStarts()[chunk];
    long end = batch.chunkEnd(chunk);
    String code = batch.status().wire();
    StringBuilder b = new StringBuilder();
    for (long i = start; i < end; i++) {
      b.append("{\"index\":").append(i).append(",\"error\":{\"code\":\"").append(code)
          .append("\",\"message\":\"the batch was ").append(code).append(" before this item ran\"}}\n");
    }
    return b.toString();
  }

}
