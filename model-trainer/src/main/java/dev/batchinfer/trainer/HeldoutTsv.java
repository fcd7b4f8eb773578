package dev.batchinfer.trainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The committed held-out set: one {@code label TAB text} line per item, UTF-8, no header. Texts
 * never contain tabs or line breaks ({@link TextCleaner} collapses whitespace), which the writer
 * checks rather than escapes, so the file stays readable with cut/awk.
 */
public final class HeldoutTsv {

  public static final String FILE = "heldout.tsv";

  private HeldoutTsv() {}

  public static String format(List<LanguageIdCorpus.Sample> samples) {
    StringBuilder sb = new StringBuilder();
    for (LanguageIdCorpus.Sample s : samples) {
      if (s.label().isEmpty() || s.label().contains("\t") || s.text().isEmpty()
          || s.text().chars().anyMatch(c -> c == '\t' || c == '\n' || c == '\r')) {
        throw new IllegalArgumentException("not representable in TSV: " + s);
      }
      sb.append(s.label()).append('\t').append(s.text()).append('\n');
    }
    return sb.toString();
  }

  public static void write(Path file, List<LanguageIdCorpus.Sample> samples) throws IOException {
    Files.writeString(file, format(samples), StandardCharsets.UTF_8);
  }

  public static List<LanguageIdCorpus.Sample> read(Path file) throws IOException {
    List<LanguageIdCorpus.Sample> out = new ArrayList<>();
    int lineNo = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      lineNo++;
      if (line.isEmpty()) {
        continue;
      }
      int tab = line.indexOf('\t');
      if (tab <= 0 || tab == line.length() - 1) {
        throw new IOException(file + ":" + lineNo + ": expected 'label<TAB>text'");
      }
      out.add(new LanguageIdCorpus.Sample(line.substring(0, tab), line.substring(tab + 1)));
    }
    return out;
  }
}
