package dev.batchinfer.api.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultipartReaderTest {

  private static final String B = "----boundary42";

  private static byte[] body(String... parts) {
    StringBuilder b = new StringBuilder("preamble to ignore\r\n");
    for (String p : parts) {
      b.append("--").append(B).append("\r\n").append(p).append("\r\n");
    }
    return b.append("--").append(B).append("--\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void reads_fields_and_a_file_in_order_with_their_names() throws IOException {
    byte[] body = body(
        "Content-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch",
        "Content-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n"
            + "{\"a\":1}\r\n{\"b\":2}\n");
    MultipartReader r = new MultipartReader(new ByteArrayInputStream(body), B);
    MultipartReader.Part purpose = r.next();
    assertThat(purpose.name()).isEqualTo("purpose");
    assertThat(purpose.filename()).isNull();
    assertThat(new String(purpose.content().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("batch");
    MultipartReader.Part file = r.next();
    assertThat(file.name()).isEqualTo("file");
    assertThat(file.filename()).isEqualTo("in.jsonl");
    assertThat(file.contentType()).isEqualTo("application/jsonl");
    assertThat(new String(file.content().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}\r\n{\"b\":2}\n");
    assertThat(r.next()).isNull();
  }

  @Test
  void a_large_part_arriving_in_small_reads_comes_out_byte_for_byte_and_unread_parts_are_skipped() throws IOException {
    byte[] data = new byte[700_000];
    new Random(5).nextBytes(data);
    // Bytes that look like the start of a boundary inside the data must not end the part.
    byte[] fake = ("\r\n--" + B.substring(0, B.length() - 1)).getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(fake, 0, data, 300_000, fake.length);
    String head = "Content-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\n\r\n";
    byte[] pre = ("--" + B + "\r\nContent-Disposition: form-data; name=\"skipped\"\r\n\r\nwhatever\r\n--" + B + "\r\n"
        + head).getBytes(StandardCharsets.ISO_8859_1);
    byte[] post = ("\r\n--" + B + "--").getBytes(StandardCharsets.ISO_8859_1);
    byte[] body = new byte[pre.length + data.length + post.length];
    System.arraycopy(pre, 0, body, 0, pre.length);
    System.arraycopy(data, 0, body, pre.length, data.length);
    System.arraycopy(post, 0, body, pre.length + data.length, post.length);
    MultipartReader r = new MultipartReader(trickle(new ByteArrayInputStream(body)), B);
    assertThat(r.next().name()).isEqualTo("skipped");
    MultipartReader.Part file = r.next();
    assertThat(file.content().readAllBytes()).isEqualTo(data);
    assertThat(r.next()).isNull();
  }

  @Test
  void a_body_cut_off_inside_a_part_or_without_boundaries_is_malformed() {
    byte[] cut = ("--" + B + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nhalf a fi")
        .getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> {
      MultipartReader r = new MultipartReader(new ByteArrayInputStream(cut), B);
      r.next().content().readAllBytes();
    }).isInstanceOf(MultipartReader.MalformedException.class).hasMessageContaining("ends inside a part");
    assertThatThrownBy(() -> new MultipartReader(new ByteArrayInputStream("just text".getBytes()), B).next())
        .isInstanceOf(MultipartReader.MalformedException.class).hasMessageContaining("no multipart boundary");
  }

  @Test
  void the_boundary_comes_from_the_content_type() {
    assertThat(MultipartReader.boundaryOf("multipart/form-data; boundary=abc")).isEqualTo("abc");
    assertThat(MultipartReader.boundaryOf("multipart/form-data; boundary=\"a b\"; charset=utf-8")).isEqualTo("a b");
    assertThat(MultipartReader.boundaryOf("application/json")).isNull();
    assertThat(MultipartReader.boundaryOf("multipart/form-data")).isNull();
  }

  /** Hands out at most 1,000 bytes a read, as a slow network would. */
  private static InputStream trickle(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, 1_000));
      }
    };
  }
}
