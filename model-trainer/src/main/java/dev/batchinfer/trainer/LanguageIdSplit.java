package dev.batchinfer.trainer;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which catalogues go to the held-out test set, and the length buckets accuracy is reported in.
 *
 * <p>The split is by catalogue family, never by string: every language's copy of a catalogue (and
 * its siblings, e.g. all PostgreSQL client tools, all binutils parts, {@code wget} and
 * {@code wget-gnulib}, {@code gtk20} and {@code gtk20-properties}) lands on the same side, decided by a hash of the family name and a salt.
 * So the test set is made of messages from programs the model never saw.
 */
public final class LanguageIdSplit {

  private static final Pattern POSTGRES = Pattern.compile(
      "(pg_[a-z_]+|psql|initdb|plpgsql|libpq\\d*|postgres|pgscripts|ecpg[a-z_]*)-\\d+");
  private static final Set<String> BINUTILS = Set.of("bfd", "ld", "gas", "gold", "gprof", "opcodes", "binutils");

  private LanguageIdSplit() {}

  /** The catalogue family of a .mo file name (e.g. {@code psql-15.mo} → {@code postgresql}). */
  public static String family(String moFileName) {
    String name = moFileName.endsWith(".mo") ? moFileName.substring(0, moFileName.length() - 3) : moFileName;
    name = name.toLowerCase(Locale.ROOT);
    if (POSTGRES.matcher(name).matches()) {
      return "postgresql";
    }
    if (BINUTILS.contains(name)) {
      return "binutils";
    }
    if (name.startsWith("gettext-")) {
      return "gettext";
    }
    if (name.equals("gtk20-properties")) {
      return "gtk20";
    }
    return name.endsWith("-gnulib") ? name.substring(0, name.length() - "-gnulib".length()) : name;
  }

  /**
   * True if the family goes to the test set: the first 4 bytes of SHA-256(salt + ":" + family),
   * as an unsigned number, mod 100, below {@code testPercent}. Deterministic on every machine.
   */
  public static boolean isTest(String family, String salt, int testPercent) {
    byte[] h = Sha256.digest((salt + ":" + family).getBytes(StandardCharsets.UTF_8));
    long v = ((h[0] & 0xffL) << 24) | ((h[1] & 0xffL) << 16) | ((h[2] & 0xffL) << 8) | (h[3] & 0xffL);
    return v % 100 < testPercent;
  }

  /** Length buckets, in Unicode code points of the text as fed to the model. */
  public enum Bucket {
    UNDER_20("<20", 0, 20),
    FROM_20_TO_50("20-50", 20, 50),
    FROM_50_TO_100("50-100", 50, 100),
    FROM_100(">=100", 100, Integer.MAX_VALUE);

    public final String label;
    public final int from;
    public final int toExclusive;

    Bucket(String label, int from, int toExclusive) {
      this.label = label;
      this.from = from;
      this.toExclusive = toExclusive;
    }

    public static Bucket of(String text) {
      int length = text.codePointCount(0, text.length());
      for (Bucket b : values()) {
        if (length < b.toExclusive) {
          return b;
        }
      }
      throw new AssertionError();
    }
  }

  /** The target population: strings of at least 20 code points. */
  public static boolean atLeast20(String text) {
    return text.codePointCount(0, text.length()) >= 20;
  }
}
