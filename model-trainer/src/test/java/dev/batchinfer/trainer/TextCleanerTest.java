package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextCleanerTest {

  @Test
  void removes_printf_placeholders_of_every_shape() {
    assertThat(TextCleaner.clean("%s: kann %1$s nicht öffnen (%-10lu, %5.2f, %%, %m)"))
        .isEqualTo(": kann nicht öffnen ( , , , )");
  }

  @Test
  void removes_python_and_shell_placeholders_and_markup() {
    assertThat(TextCleaner.clean("<b>Hallo</b> {name}, %(count)d Dateien in ${HOME} &amp; $PATH"))
        .isEqualTo("Hallo , Dateien in");
  }

  @Test
  void drops_menu_accelerators_and_collapses_whitespace() {
    assertThat(TextCleaner.clean("  _Datei\töffnen\n&Speichern  ")).isEqualTo("Datei öffnen Speichern");
  }

  @Test
  void counts_letters_of_any_script() {
    assertThat(TextCleaner.letters(TextCleaner.clean("%s: 42"))).isZero();
    assertThat(TextCleaner.letters("Файл 1")).isEqualTo(4);
  }
}
