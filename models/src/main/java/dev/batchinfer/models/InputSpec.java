package dev.batchinfer.models;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * What one input item must look like, and its compact wire form: the tensor's raw bytes
 * (uint8: one byte per value; float32: four bytes little-endian), exactly what the worker copies
 * into the model's input tensor.
 *
 * <p>JSON forms accepted for an item: {@code {"<name>": [v, v, ...]}} with {@link #elementCount()}
 * numbers, or for uint8 {@code {"<name>": "<base64 of the bytes>"}}.
 *
 * @param name the JSON field and the signature's input key
 * @param dtype "uint8" or "float32"
 * @param shape the shape of one item (the batch dimension is added by the worker)
 * @param min smallest allowed value, if any
 * @param max largest allowed value, if any
 * @param maxBytes for strings: the most UTF-8 bytes one item may have
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record InputSpec(String name, String dtype, List<Integer> shape, Double min, Double max,
    @JsonProperty("max_bytes") Integer maxBytes) {

  public InputSpec(String name, String dtype, List<Integer> shape, Double min, Double max) {
    this(name, dtype, shape, min, max, null);
  }

  /** Element types the worker knows how to put in a tensor. A string item is its UTF-8 bytes. */
  public enum DType {
    UINT8(1),
    FLOAT32(4),
    STRING(0);

    public final int bytes;

    DType(int bytes) {
      this.bytes = bytes;
    }
  }

  /** Called for every item on both sides of the queue: a switch, not a parse of {@code dtype}. */
  public DType type() {
    return switch (dtype) {
      case "uint8", "UINT8" -> DType.UINT8;
      case "float32", "FLOAT32" -> DType.FLOAT32;
      case "string", "STRING" -> DType.STRING;
      default -> DType.valueOf(dtype.toUpperCase(Locale.ROOT));
    };
  }

  public int elementCount() {
    int n = 1;
    for (int d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Bytes of one encoded item; -1 for strings, whose length varies. */
  public int payloadBytes() {
    return type() == DType.STRING ? -1 : elementCount() * type().bytes;
  }

  void validate(String modelId) {
    try {
      type();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ModelCatalogException(modelId + ": input dtype must be uint8, float32 or string, not " + dtype);
    }
    if (type() == DType.STRING) {
      if (name == null || name.isBlank() || shape == null || !shape.isEmpty() || maxBytes == null || maxBytes < 1) {
        throw new ModelCatalogException(modelId + ": a string input needs a name, shape [] and max_bytes >= 1");
      }
      return;
    }
    if (name == null || name.isBlank() || shape == null || shape.isEmpty() || shape.stream().anyMatch(d -> d < 1)) {
      throw new ModelCatalogException(modelId + ": input needs a name and a shape of positive dimensions");
    }
    if (type() == DType.UINT8 && (min == null || min < 0 || max == null || max > 255)) {
      throw new ModelCatalogException(modelId + ": a uint8 input needs min >= 0 and max <= 255");
    }
  }

  /** Human description for error messages: "784 integers from 0 to 255 (shape [784])". */
  public String describe() {
    if (type() == DType.STRING) {
      return "a non-empty string of at most " + maxBytes + " UTF-8 bytes";
    }
    String what = type() == DType.UINT8 ? "integers" : "numbers";
    String range = min != null && max != null ? " from " + fmt(min) + " to " + fmt(max) : "";
    return elementCount() + " " + what + range + " (shape " + shape + ")";
  }

  /**
   * Encodes one JSON input item to its wire form.
   *
   * @throws InvalidInputException naming the field and what would fix it
   */
  public byte[] encode(JsonNode item) {
    if (item == null || !item.isObject()) {
      throw new InvalidInputException("", "each input must be an object like {\"" + name + "\": [...]} with " + describe());
    }
    JsonNode values = item.get(name);
    if (values == null) {
      throw new InvalidInputException("/" + name, "missing field \"" + name + "\": give " + describe());
    }
    if (type() == DType.STRING) {
      if (!values.isTextual() || values.asText().isEmpty()) {
        throw new InvalidInputException("/" + name, "\"" + name + "\" must be " + describe());
      }
      byte[] utf8 = values.asText().getBytes(StandardCharsets.UTF_8);
      if (utf8.length > maxBytes) {
        throw new InvalidInputException("/" + name, "\"" + name + "\" has " + utf8.length + " bytes; the model takes " + describe());
      }
      return utf8;
    }
    if (values.isTextual()) {
      return decodeBase64(values.asText());
    }
    if (!values.isArray()) {
      throw new InvalidInputException("/" + name, "\"" + name + "\" must be an array of " + describe()
          + (type() == DType.UINT8 ? " or a base64 string of " + elementCount() + " bytes" : ""));
    }
    int n = elementCount();
    if (values.size() != n) {
      throw new InvalidInputException("/" + name, "\"" + name + "\" has " + values.size() + " values; the model needs " + describe());
    }
    ByteBuffer out = ByteBuffer.allocate(payloadBytes()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      JsonNode v = values.get(i);
      String at = "/" + name + "/" + i;
      if (!v.isNumber()) {
        throw new InvalidInputException(at, "value " + v + " is not a number; the model needs " + describe());
      }
      double d = v.asDouble();
      checkRange(at, d);
      if (type() == DType.UINT8) {
        if (!v.canConvertToExactIntegral()) {
          throw new InvalidInputException(at, "value " + v + " is not an integer; the model needs " + describe());
        }
        out.put((byte) v.asInt());
      } else {
        out.putFloat((float) d);
      }
    }
    return out.array();
  }

  /**
   * Checks an encoded payload as the worker receives it (another producer may have written it).
   *
   * @return null if the payload fits the model, else what is wrong with it
   */
  public String checkPayload(ByteBuffer payload) {
    if (type() == DType.STRING) {
      if (payload.remaining() < 1 || payload.remaining() > maxBytes) {
        return "input has " + payload.remaining() + " bytes; the model takes " + describe();
      }
      try {
        StandardCharsets.UTF_8.newDecoder().decode(payload.duplicate());
        return null;
      } catch (CharacterCodingException e) {
        return "input is not valid UTF-8";
      }
    }
    if (payload.remaining() != payloadBytes()) {
      return "input has " + payload.remaining() + " bytes; the model needs " + payloadBytes() + " (" + describe() + ")";
    }
    if (type() == DType.FLOAT32) {
      ByteBuffer le = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < elementCount(); i++) {
        float f = le.getFloat();
        if (!Float.isFinite(f)) {
          return "value " + i + " is " + f + "; the model needs finite numbers";
        }
        if ((min != null && f < min) || (max != null && f > max)) {
          return "value " + i + " is " + f + "; the model needs " + describe();
        }
      }
    } else if (min != null && max != null && (min > 0 || max < 255)) {
      for (int i = payload.position(); i < payload.limit(); i++) {
        int v = Byte.toUnsignedInt(payload.get(i));
        if (v < min || v > max) {
          return "value " + (i - payload.position()) + " is " + v + "; the model needs " + describe();
        }
      }
    }
    return null;
  }

  private byte[] decodeBase64(String text) {
    if (type() != DType.UINT8) {
      throw new InvalidInputException("/" + name, "\"" + name + "\" must be an array of " + describe());
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("/" + name, "\"" + name + "\" is a string but not valid base64: " + e.getMessage());
    }
    if (bytes.length != payloadBytes()) {
      throw new InvalidInputException("/" + name,
          "\"" + name + "\" decodes to " + bytes.length + " bytes; the model needs " + payloadBytes() + " (" + describe() + ")");
    }
    String problem = checkPayload(ByteBuffer.wrap(bytes));
    if (problem != null) {
      throw new InvalidInputException("/" + name, problem);
    }
    return bytes;
  }

  private void checkRange(String at, double d) {
    if ((min != null && d < min) || (max != null && d > max) || Double.isNaN(d)) {
      throw new InvalidInputException(at, "value " + fmt(d) + " is out of range; the model needs " + describe());
    }
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
