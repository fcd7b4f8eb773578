package dev.batchinfer.models;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Batch sizes the model was exported and measured for. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Batching(
    @JsonProperty("max_batch_size") int maxBatchSize,
    @JsonProperty("preferred_batch_sizes") List<Integer> preferredBatchSizes) {}
