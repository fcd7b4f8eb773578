package dev.batchinfer.api.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinePiecesTest {

  @Test
  void pieces_are_whole_lines_that_join_back_to_the_input_and_lines_are_counted() throws Exception {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      text.append("{\"custom_id\":\"r-").append(i).append("\",\"note\":\"é ü 漢字\"}\n");
    }
    text.append("{\"last\":\"no line end\"}");
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    List<String> pieces = new ArrayList<>();
    LinePieces lp = new LinePieces(1 << 20, pieces::add);
    for (int off = 0; off < bytes.length; off += 777) { // cuts through multi-byte characters
      lp.write(bytes, off, Math.min(777, bytes.length - off));
    }
    lp.finish();
    assertThat(pieces.size()).isGreaterThan(1);
    assertThat(String.join("", pieces)).isEqualTo(text.toString());
    for (String p : pieces.subList(0, pieces.size() - 1)) {
      assertThat(p).endsWith("\n");
    }
    assertThat(lp.lines()).isEqualTo(20_001);
    assertThat(lp.bytes()).isEqualTo(bytes.length);
  }

  @Test
  void text_that_is_not_utf8_or_a_line_too_long_is_refused() {
    assertThatThrownBy(() -> {
      LinePieces lp = new LinePieces(1 << 20, p -> { });
      lp.write(new byte[] {'a', (byte) 0xC3, '\n'}, 0, 3);
      lp.finish();
    }).isInstanceOf(LinePieces.BadTextException.class).hasMessageContaining("not UTF-8");
    assertThatThrownBy(() -> {
      LinePieces lp = new LinePieces(10, p -> { });
      lp.write("short\n0123456789ab\n".getBytes(StandardCharsets.UTF_8), 0, 19);
    }).isInstanceOf(LinePieces.BadTextException.class).hasMessageContaining("line 2 is longer than 10 bytes");
  }
}
