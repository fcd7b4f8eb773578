package dev.batchinfer.api.submit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.api.problem.ApiException;
import dev.batchinfer.config.callback.CallbackPolicy;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.models.ModelConfig;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The readers of a submit body, one per format (JSON {@link JsonBodyReader}, {@link NdjsonReader},
 * {@link RawReader}), over one {@link BatchOptionsParser} and one {@link InputEncoder}: what the handlers call.
 */
public final class BatchRequestReader {

  private final ModelCatalog catalog;
  private final JsonBodyReader jsonBody;
  private final NdjsonReader ndjson;
  private final BatchOptionsParser options;
  private final InputEncoder encoder;

  public BatchRequestReader(ObjectMapper json, ModelCatalog catalog, int chunkMaxItems, int chunkMaxBytes, int maxItems,
      CallbackPolicy callbacks) {
    this.catalog = catalog;
    this.options = new BatchOptionsParser(json, callbacks);
    this.encoder = new InputEncoder(chunkMaxItems, chunkMaxBytes);
    this.jsonBody = new JsonBodyReader(json, options, encoder, maxItems);
    this.ndjson = new NdjsonReader(json);
  }

  /** Reads with each model at its registry.yaml production version (no live routing). */
  public ParsedBatch read(InputStream body) {
    return read(body, this::resolve);
  }

  /**
   * A JSON body.
   *
   * @param resolveModel turns the body's "model" into the version the batch is pinned to
   * @throws ApiException 400 naming the field for anything invalid, 413 for too many inputs
   */
  public ParsedBatch read(InputStream body, Function<String, ModelConfig> resolveModel) {
    return jsonBody.read(body, resolveModel);
  }

  /** A sync predict body, {@code {"inputs": [...]}}, for a model already chosen by the path. */
  public ParsedBatch readInputsFor(InputStream body, ModelConfig model) {
    return jsonBody.readInputsFor(body, model);
  }

  /** The batch options of a streamed upload, from its query parameters; see {@link BatchOptionsParser#fromQuery}. */
  public BatchOptions readOptions(Map<String, List<String>> query, Function<String, ModelConfig> resolveModel,
      Set<String> allowedExtra) {
    return options.fromQuery(query, resolveModel, allowedExtra);
  }

  /**
   * An NDJSON body, line by line; see {@link NdjsonReader}.
   *
   * @param maxItems more lines than this is 413
   * @param listDuplicates true for a dry run: repeated custom ids are listed instead of refused
   */
  public Upload readNdjson(InputStream body, ModelConfig model, Chunker chunker, long maxItems, boolean listDuplicates) {
    return ndjson.read(body, model, chunker, maxItems, listDuplicates);
  }

  /** A raw body of fixed-size inputs; see {@link RawReader}. */
  public Upload readRaw(InputStream body, ModelConfig model, Chunker chunker, long maxItems) {
    return RawReader.read(body, model, chunker, maxItems);
  }

  /** A chunker for the model's batches; {@code sink} null keeps the chunks (see {@link Chunker}). */
  public Chunker newChunker(ModelConfig model, Consumer<Chunker.ChunkItems> sink) {
    return encoder.newChunker(model, sink);
  }

  private ModelConfig resolve(String modelId) {
    return catalog.resolve(modelId).orElseThrow(() -> ApiException.invalid("/model",
        "unknown model \"" + modelId + "\": available models are "
            + catalog.modelIds().stream().collect(Collectors.joining(", "))));
  }

  /** One input validated against the model and encoded, as every reader does it (see {@link InputEncoder}). */
  public byte[] encodeInput(ModelConfig model, Chunker chunker, com.fasterxml.jackson.databind.JsonNode input,
      String pointer, String what, String customId) {
    return InputEncoder.encode(model, chunker, input, pointer, what, customId);
  }
}
