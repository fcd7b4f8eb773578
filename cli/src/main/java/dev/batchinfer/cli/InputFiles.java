package dev.batchinfer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a submit's file holds: native NDJSON, raw inputs end to end, or OpenAI batch JSONL, told apart by the
 * {@code --format} flag, else by the extension ({@code .bin}/{@code .raw}: raw) or the first line (an object with
 * {@code custom_id}, {@code method}, {@code url} and {@code body}: OpenAI). OpenAI lines are sent as native NDJSON,
 * converted as the file is read: each input of a line's {@code body.inputs} becomes an item, with the line's
 * {@code custom_id} (suffixed {@code #0}, {@code #1}, ... when a line holds several).
 */
final class InputFiles {

  enum Format { NDJSON, RAW, OPENAI }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ENDPOINT = Pattern.compile("/v1/models/([^/]+)/predict");

  private InputFiles() {}

  static Format detect(Path file, String flag) throws IOException {
    if (flag != null && !flag.equals("auto")) {
      return Format.valueOf(flag.toUpperCase(Locale.ROOT));
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".bin") || name.endsWith(".raw")) {
      return Format.RAW;
    }
    JsonNode first = firstLine(file);
    return first != null && first.isObject() && first.has("custom_id") && first.has("method") && first.has("url")
        && first.has("body") ? Format.OPENAI : Format.NDJSON;
  }

  /** The model an OpenAI file's first line names in its url, or null. */
  static String openAiModel(Path file) throws IOException {
    JsonNode first = firstLine(file);
    Matcher m = ENDPOINT.matcher(first == null ? "" : first.path("url").asText());
    return m.matches() ? m.group(1) : null;
  }

  private static JsonNode firstLine(Path file) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line; (line = r.readLine()) != null; ) {
        if (!line.isBlank()) {
          try {
            return JSON.readTree(line);
          } catch (IOException notJson) {
            return null;
          }
        }
      }
    }
    return null;
  }

  /** An OpenAI file read as native NDJSON; {@code sourceBytes} hears how much of the file has been read. */
  static InputStream openAiAsNdjson(Path file, LongConsumer sourceBytes) {
    try {
      return new Converting(Files.newInputStream(file), sourceBytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Converts line by line: memory holds one line. */
  private static final class Converting extends InputStream {
    private final BufferedReader lines;
    private final InputStream counted;
    private ByteArrayInputStream current = new ByteArrayInputStream(new byte[0]);
    private long lineNumber;

    Converting(InputStream in, LongConsumer sourceBytes) {
      this.counted = new dev.batchinfer.client.CountingInputStream(in, sourceBytes);
      this.lines = new BufferedReader(new InputStreamReader(counted, StandardCharsets.UTF_8));
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (current.available() == 0) {
        String line = lines.readLine();
        if (line == null) {
          return -1;
        }
        lineNumber++;
        if (!line.isBlank()) {
          current = new ByteArrayInputStream(convert(line).getBytes(StandardCharsets.UTF_8));
        }
      }
      return current.read(b, off, len);
    }

    private String convert(String line) throws IOException {
      JsonNode n;
      try {
        n = JSON.readTree(line);
      } catch (IOException e) {
        throw new IOException("line " + lineNumber + " is not JSON");
      }
      JsonNode inputs = n.path("body").path("inputs");
      String id = n.path("custom_id").asText(null);
      if (!inputs.isArray() || inputs.isEmpty() || id == null) {
        throw new IOException("line " + lineNumber + ": an OpenAI batch line needs \"custom_id\" and "
            + "\"body\": {\"inputs\": [...]}");
      }
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < inputs.size(); i++) {
        ObjectNode item = JSON.createObjectNode();
        item.put("custom_id", inputs.size() == 1 ? id : id + "#" + i);
        item.set("input", inputs.get(i));
        out.append(JSON.writeValueAsString(item)).append('\n');
      }
      return out.toString();
    }

    @Override
    public void close() throws IOException {
      lines.close();
    }
  }
}
