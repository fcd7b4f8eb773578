package dev.batchinfer.worker.batch;

import org.apache.kafka.common.TopicPartition;

/** Where a chunk's record sits, so its offset can be committed once the chunk is published. */
public record ChunkRef(TopicPartition partition, long offset) implements ChunkOrigin {}
