package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeldoutTsvTest {

  @TempDir Path dir;

  @Test
  void round_trips_labels_and_utf8_texts() throws IOException {
    List<LanguageIdCorpus.Sample> samples = List.of(
        new LanguageIdCorpus.Sample("de", "Größe der Datei: unbekannt"),
        new LanguageIdCorpus.Sample("ru", "Файл не найден"));
    Path file = dir.resolve(HeldoutTsv.FILE);

    HeldoutTsv.write(file, samples);

    assertThat(Files.readString(file)).isEqualTo("de\tGröße der Datei: unbekannt\nru\tФайл не найден\n");
    assertThat(HeldoutTsv.read(file)).containsExactlyElementsOf(samples);
  }

  @Test
  void refuses_texts_that_would_break_the_format() {
    assertThatThrownBy(() -> HeldoutTsv.format(List.of(new LanguageIdCorpus.Sample("de", "a\tb"))))
        .hasMessageContaining("not representable");
    assertThatThrownBy(() -> HeldoutTsv.format(List.of(new LanguageIdCorpus.Sample("de", "a\nb"))))
        .hasMessageContaining("not representable");
  }

  @Test
  void reports_the_line_of_a_malformed_entry() throws IOException {
    Path file = Files.writeString(dir.resolve("bad.tsv"), "de\tgut\nkaputt\n");

    assertThatThrownBy(() -> HeldoutTsv.read(file)).isInstanceOf(IOException.class).hasMessageContaining(":2:");
  }
}
