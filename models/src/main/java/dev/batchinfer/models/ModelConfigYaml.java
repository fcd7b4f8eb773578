package dev.batchinfer.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The text form of {@link ModelConfig}: what {@link ModelCatalog} reads from a version's
 * {@code config.yaml} and what the trainer writes there. One mapper does both, driven by the
 * records' own annotations, so the file a trainer writes is by construction one the catalogue reads.
 */
public final class ModelConfigYaml {

  /**
   * The comment on top of every written config.yaml. (The hand-agreed files carried it beside
   * {@code input.name}; a mapper cannot place comments, so it stands at the head.)
   */
  public static final String HEADER = "# input.name: the JSON field name of each input item and the signature's input key\n";

  private static final ObjectMapper MAPPER = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .build())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      // Absent, not "null": a uint8 input has no max_bytes, a string input no min or max.
      .setSerializationInclusion(JsonInclude.Include.NON_NULL)
      .registerModule(new SimpleModule().addSerializer(Double.class, new WholeDoubles()));

  private ModelConfigYaml() {}

  /** Reads a config.yaml as written; {@link ModelConfig#directory()} is left null. */
  public static ModelConfig read(Path file) throws IOException {
    return MAPPER.readValue(file.toFile(), ModelConfig.class);
  }

  public static ModelConfig parse(String yaml) throws IOException {
    return MAPPER.readValue(yaml, ModelConfig.class);
  }

  /** The config.yaml text of {@code config}: {@link #HEADER}, then every field but the directory. */
  public static String write(ModelConfig config) {
    try {
      return HEADER + MAPPER.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write config.yaml of " + config.id(), e);
    }
  }

  /** {@code min: 0}, not {@code min: 0.0}: bounds such as 0 and 255 read as the integers they are. */
  private static final class WholeDoubles extends StdSerializer<Double> {
    WholeDoubles() {
      super(Double.class);
    }

    @Override
    public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      double d = value;
      boolean negativeZero = d == 0 && 1 / d < 0;
      if (d == Math.rint(d) && Math.abs(d) < 1e15 && !negativeZero) {
        gen.writeNumber((long) d);
      } else {
        gen.writeNumber(d);
      }
    }
  }
}
