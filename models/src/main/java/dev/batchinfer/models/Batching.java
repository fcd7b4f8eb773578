package dev.batchinfer.models;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * How the worker batches a model's items.
 *
 * @param maxBatchSize the most items one model call takes
 * @param preferredBatchSizes sizes the model was exported and measured for; informative, the worker
 *     does not use them
 * @param allowedBatchSizes if set, the only batch sizes the model is called with (ascending, each
 *     >= 1, the largest <= max_batch_size), as TensorFlow Serving's {@code allowed_batch_sizes}: a
 *     batch of n items runs as one call padded up to the smallest allowed size >= n, and a batch
 *     holds at most the largest allowed size that fits the worker's limit. Padding rows are never
 *     answered or counted. Null when the config has none
 * @param batchCost if set, a micro-batch is also bounded by its cost (items, input bytes or tokens);
 *     null when the config has none ({@link #cost()} is then the item count)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Batching(
    @JsonProperty("max_batch_size") int maxBatchSize,
    @JsonProperty("preferred_batch_sizes") List<Integer> preferredBatchSizes,
    @JsonProperty("allowed_batch_sizes") List<Integer> allowedBatchSizes,
    @JsonProperty("batch_cost") BatchCost batchCost) {

  public Batching(int maxBatchSize, List<Integer> preferredBatchSizes) {
    this(maxBatchSize, preferredBatchSizes, null, null);
  }

  /** The allowed batch sizes, empty when any size up to max_batch_size will do. */
  @JsonIgnore
  public List<Integer> allowedSizes() {
    return allowedBatchSizes == null ? List.of() : allowedBatchSizes;
  }

  /** The batch cost in force: batch_cost, or by items with max_batch_size as its max. */
  @JsonIgnore
  public BatchCost cost() {
    return batchCost == null ? BatchCost.items(maxBatchSize) : batchCost;
  }

  /** @param where the model and its file, for the message */
  void validate(String where, InputSpec input) {
    if (maxBatchSize < 1) {
      throw new ModelCatalogException(where + ": batching.max_batch_size must be >= 1, not " + maxBatchSize);
    }
    if (allowedBatchSizes != null) {
      if (allowedBatchSizes.isEmpty() || allowedBatchSizes.contains(null)) {
        throw new ModelCatalogException(where + ": batching.allowed_batch_sizes must list at least one size "
            + "(or be left out)");
      }
      int previous = 0;
      for (int size : allowedBatchSizes) {
        if (size < 1 || size <= previous) {
          throw new ModelCatalogException(where + ": batching.allowed_batch_sizes " + allowedBatchSizes
              + " must be ascending sizes of at least 1, each once");
        }
        previous = size;
      }
      if (previous > maxBatchSize) {
        throw new ModelCatalogException(where + ": batching.allowed_batch_sizes " + allowedBatchSizes
            + " ends at " + previous + ", above max_batch_size " + maxBatchSize);
      }
    }
    if (batchCost != null) {
      batchCost.validate(where, input);
    }
  }
}
