package dev.batchinfer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {

  private static final String URL = "/v1/models/fashion-mnist/predict";

  @Test
  void formats_are_told_apart_by_flag_extension_and_first_line(@TempDir Path dir) throws Exception {
    Path openai = Files.writeString(dir.resolve("a.jsonl"), "\n{\"custom_id\":\"x\",\"method\":\"POST\",\"url\":\"" + URL
        + "\",\"body\":{\"inputs\":[1]}}\n");
    Path ndjson = Files.writeString(dir.resolve("b.jsonl"), "{\"input\":{\"pixels\":\"AA==\"}}\n");
    Path raw = Files.write(dir.resolve("c.bin"), new byte[784]);
    assertThat(InputFiles.detect(openai, "auto")).isEqualTo(InputFiles.Format.OPENAI);
    assertThat(InputFiles.openAiModel(openai)).isEqualTo("fashion-mnist");
    assertThat(InputFiles.detect(ndjson, null)).isEqualTo(InputFiles.Format.NDJSON);
    assertThat(InputFiles.detect(raw, "auto")).isEqualTo(InputFiles.Format.RAW);
    assertThat(InputFiles.detect(openai, "ndjson")).isEqualTo(InputFiles.Format.NDJSON);
  }

  @Test
  void openai_lines_become_native_items_one_per_input_as_the_file_is_read(@TempDir Path dir) throws Exception {
    String text = "{\"custom_id\":\"one\",\"method\":\"POST\",\"url\":\"" + URL + "\",\"body\":{\"inputs\":[{\"p\":1}]}}\n\n"
        + "{\"custom_id\":\"two\",\"method\":\"POST\",\"url\":\"" + URL + "\",\"body\":{\"inputs\":[{\"p\":2},{\"p\":3}]}}\n";
    Path file = Files.writeString(dir.resolve("in.jsonl"), text);
    AtomicLong read = new AtomicLong();
    try (InputStream in = InputFiles.openAiAsNdjson(file, read::set)) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(
          "{\"custom_id\":\"one\",\"input\":{\"p\":1}}\n{\"custom_id\":\"two#0\",\"input\":{\"p\":2}}\n"
              + "{\"custom_id\":\"two#1\",\"input\":{\"p\":3}}\n");
    }
    assertThat(read.get()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
    Path bad = Files.writeString(dir.resolve("bad.jsonl"), "{\"custom_id\":\"a\",\"body\":{}}\n");
    assertThatThrownBy(() -> {
      try (InputStream in = InputFiles.openAiAsNdjson(bad, n -> { })) {
        in.readAllBytes();
      }
    }).hasMessageContaining("line 1").hasMessageContaining("inputs");
  }
}
