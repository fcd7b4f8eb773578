package dev.batchinfer.topics.serde;

import dev.batchinfer.topics.message.InferenceChunk;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serde over {@link ChunkCodec}. Deserialisation failures throw {@link UndecodableRecordException}. */
public final class ChunkSerde implements Serde<InferenceChunk> {
  @Override
  public Serializer<InferenceChunk> serializer() {
    return (topic, chunk) -> chunk == null ? null : ChunkCodec.encode(chunk);
  }

  @Override
  public Deserializer<InferenceChunk> deserializer() {
    return (topic, bytes) -> ChunkCodec.decode(bytes);
  }
}
