package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MoReaderTest {

  @TempDir Path dir;

  @Test
  void reads_messages_of_a_little_endian_catalogue_and_keeps_the_header_apart() throws IOException {
    Path file = Files.write(dir.resolve("tiny.mo"), MoFiles.withHeader(MoFiles.UTF8_HEADER)
        .add("File not found", "Datei nicht gefunden")
        .add("Über", "Über uns")
        .bytes());

    MoReader.Catalogue catalogue = MoReader.read(file);

    assertThat(catalogue.header()).contains("charset=UTF-8");
    assertThat(catalogue.charset()).isEqualTo(StandardCharsets.UTF_8);
    assertThat(catalogue.messages()).extracting(MoReader.Message::msgid).containsExactly("File not found", "Über");
    assertThat(catalogue.messages()).extracting(MoReader.Message::translation)
        .containsExactly("Datei nicht gefunden", "Über uns");
    assertThat(catalogue.messages()).allSatisfy(m -> {
      assertThat(m.context()).isNull();
      assertThat(m.plural()).isNull();
    });
  }

  @Test
  void splits_context_from_msgid_and_plural_forms_from_each_other() throws IOException {
    byte[] mo = MoFiles.withHeader(MoFiles.UTF8_HEADER)
        .addWithContext("menu", "Open", "Öffnen")
        .addPlural("%d file", "%d files", "%d Datei", "%d Dateien")
        .bytes();

    List<MoReader.Message> messages = MoReader.read(mo, "t").messages();

    MoReader.Message plural = messages.stream().filter(m -> m.plural() != null).findFirst().orElseThrow();
    assertThat(plural.msgid()).isEqualTo("%d file");
    assertThat(plural.plural()).isEqualTo("%d files");
    assertThat(plural.forms()).containsExactly("%d Datei", "%d Dateien");
    assertThat(plural.translation()).isEqualTo("%d Datei");
    MoReader.Message withContext = messages.stream().filter(m -> m.context() != null).findFirst().orElseThrow();
    assertThat(withContext.context()).isEqualTo("menu");
    assertThat(withContext.msgid()).isEqualTo("Open");
    assertThat(withContext.translation()).isEqualTo("Öffnen");
  }

  @Test
  void an_empty_translation_has_no_forms() throws IOException {
    byte[] mo = MoFiles.withHeader(MoFiles.UTF8_HEADER).add("untranslated", "").bytes();

    MoReader.Message m = MoReader.read(mo, "t").messages().get(0);

    assertThat(m.forms()).isEmpty();
    assertThat(m.translation()).isEmpty();
  }

  @Test
  void reads_big_endian_catalogues() throws IOException {
    byte[] mo = MoFiles.withHeader(MoFiles.UTF8_HEADER).add("Yes", "Ja").bytes(ByteOrder.BIG_ENDIAN,
        StandardCharsets.UTF_8);

    assertThat(MoReader.read(mo, "t").messages()).extracting(MoReader.Message::translation).containsExactly("Ja");
  }

  @Test
  void decodes_with_the_charset_the_header_declares() throws IOException {
    Charset latin1 = StandardCharsets.ISO_8859_1;
    byte[] mo = MoFiles.withHeader("Content-Type: text/plain; charset=ISO-8859-1\n").add("Size", "Größe")
        .bytes(ByteOrder.LITTLE_ENDIAN, latin1);

    MoReader.Catalogue catalogue = MoReader.read(mo, "t");

    assertThat(catalogue.charset()).isEqualTo(latin1);
    assertThat(catalogue.messages().get(0).translation()).isEqualTo("Größe");
  }

  @Test
  void falls_back_to_utf8_for_a_placeholder_charset() {
    assertThat(MoReader.charsetOf("Content-Type: text/plain; charset=CHARSET\n")).isEqualTo(StandardCharsets.UTF_8);
    assertThat(MoReader.charsetOf("")).isEqualTo(StandardCharsets.UTF_8);
  }

  @Test
  void rejects_a_file_that_is_not_a_catalogue() {
    assertThatThrownBy(() -> MoReader.read("definitely not a catalogue".getBytes(), "junk"))
        .isInstanceOf(IOException.class).hasMessageContaining("not a .mo file");
  }

  @Test
  void rejects_a_truncated_catalogue() {
    byte[] mo = MoFiles.withHeader(MoFiles.UTF8_HEADER).add("Yes", "Ja").bytes();

    assertThatThrownBy(() -> MoReader.read(Arrays.copyOf(mo, mo.length - 6), "short"))
        .isInstanceOf(IOException.class).hasMessageContaining("outside the file");
  }
}
