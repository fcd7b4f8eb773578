package dev.batchinfer.models;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** major.minor.patch, ordered numerically (so 1.10.0 is newer than 1.9.0). */
public record SemVer(int major, int minor, int patch) implements Comparable<SemVer> {

  private static final Pattern FORM = Pattern.compile("(\\d{1,6})\\.(\\d{1,6})\\.(\\d{1,6})");
  private static final Comparator<SemVer> ORDER =
      Comparator.comparingInt(SemVer::major).thenComparingInt(SemVer::minor).thenComparingInt(SemVer::patch);

  public static Optional<SemVer> parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new SemVer(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))));
  }

  @Override
  public int compareTo(SemVer other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
