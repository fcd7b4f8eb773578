package dev.batchinfer.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The answer to a pause or a resume: the batch's status, whether it is paused now, and (a resume) how many chunks
 * set aside while it was paused went back on the queue; 0 after a pause.
 */
public record PauseAnswer(String batchId, String status, boolean paused, long releasedChunks, JsonNode raw) {

  static PauseAnswer of(JsonNode n) {
    return new PauseAnswer(n.path("batch_id").asText(), n.path("status").asText(), n.path("paused").asBoolean(),
        n.path("released_chunks").asLong(), n);
  }
}
