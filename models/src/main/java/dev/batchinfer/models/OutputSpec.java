package dev.batchinfer.models;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A classifier's output: a probability per label.
 *
 * @param name the signature's output key
 * @param topK how many of the best labels each result lists
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OutputSpec(String name, @JsonProperty("top_k") int topK, List<String> labels) {}
