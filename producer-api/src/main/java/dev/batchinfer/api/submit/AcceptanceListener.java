package dev.batchinfer.api.submit;

import dev.batchinfer.store.batch.BatchRecord;

/** Told of each batch once it is accepted (durable in Kafka and recorded), whichever route made it. */
public interface AcceptanceListener {
  void accepted(BatchRecord record, long items);
}
