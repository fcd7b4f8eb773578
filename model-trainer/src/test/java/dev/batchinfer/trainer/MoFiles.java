package dev.batchinfer.trainer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes tiny GNU .mo catalogues for tests, the way msgfmt lays them out (without a hash table). */
final class MoFiles {

  static final String UTF8_HEADER = "Project-Id-Version: test 1.0\nContent-Type: text/plain; charset=UTF-8\n"
      + "Plural-Forms: nplurals=2; plural=(n != 1);\n";

  private final Map<String, String> entries = new LinkedHashMap<>();

  /** A catalogue whose header (empty msgid) is {@code header}. */
  static MoFiles withHeader(String header) {
    MoFiles mo = new MoFiles();
    mo.entries.put("", header);
    return mo;
  }

  MoFiles add(String msgid, String msgstr) {
    entries.put(msgid, msgstr);
    return this;
  }

  MoFiles addWithContext(String context, String msgid, String msgstr) {
    entries.put(context + "\u0004" + msgid, msgstr);
    return this;
  }

  MoFiles addPlural(String msgid, String plural, String... forms) {
    entries.put(msgid + "\0" + plural, String.join("\0", forms));
    return this;
  }

  byte[] bytes() {
    return bytes(ByteOrder.LITTLE_ENDIAN, StandardCharsets.UTF_8);
  }

  /** Originals sorted (as msgfmt does), strings NUL-terminated after the two tables. */
  byte[] bytes(ByteOrder order, Charset charset) {
    List<String> keys = new ArrayList<>(entries.keySet());
    keys.sort(null);
    int n = keys.size();
    int originals = 28;
    int translations = originals + 8 * n;
    int data = translations + 8 * n;
    ByteArrayOutputStream strings = new ByteArrayOutputStream();
    ByteBuffer tables = ByteBuffer.allocate(16 * n).order(order);
    List<byte[]> ids = new ArrayList<>();
    List<byte[]> strs = new ArrayList<>();
    for (String k : keys) {
      ids.add(k.getBytes(charset));
      strs.add(entries.get(k).getBytes(charset));
    }
    int offset = data;
    for (byte[] id : ids) {
      tables.putInt(id.length).putInt(offset);
      strings.writeBytes(id);
      strings.write(0);
      offset += id.length + 1;
    }
    for (byte[] s : strs) {
      tables.putInt(s.length).putInt(offset);
      strings.writeBytes(s);
      strings.write(0);
      offset += s.length + 1;
    }
    ByteBuffer header = ByteBuffer.allocate(28).order(order);
    header.putInt(MoReader.MAGIC).putInt(0).putInt(n).putInt(originals).putInt(translations).putInt(0).putInt(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header.array());
    out.writeBytes(tables.array());
    out.writeBytes(strings.toByteArray());
    return out.toByteArray();
  }
}
