package dev.batchinfer.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * How a long operation shows where it stands: on a terminal one bar redrawn in place (done / total, rate, ETA),
 * elsewhere a plain line at most every {@code plainEvery} (and on every change of status), so a log or CI output
 * stays readable. Rates are smoothed over the updates; the ETA follows from the rate.
 */
final class Progress {

  enum Mode { BAR, PLAIN, NONE }

  static final int BAR_WIDTH = 30;
  static final long BAR_REDRAW_NANOS = 100_000_000;

  private final PrintStream out;
  private final Mode mode;
  private final long plainEveryNanos;
  private final LongSupplier nanos;
  private final String unit;
  private long firstAt = -1;
  private long lastAt;
  private long lastDone;
  private double rate; // per second, smoothed
  private long lastPrinted = Long.MIN_VALUE;
  private String lastStatus;
  private int drawn;
  private long lastDrawnAt = Long.MIN_VALUE / 2;

  /** @param unit what is counted: "items" or "bytes" (bytes are shown in KiB/MiB) */
  Progress(PrintStream out, Mode mode, long plainEveryNanos, LongSupplier nanos, String unit) {
    this.out = out;
    this.mode = mode;
    this.plainEveryNanos = plainEveryNanos;
    this.nanos = nanos;
    this.unit = unit;
  }

  /** Where it stands now: {@code done} of {@code total} (total &lt; 0: unknown), in {@code status}. */
  void update(long done, long total, String status) {
    long now = nanos.getAsLong();
    if (firstAt < 0) {
      firstAt = now;
      lastAt = now;
      lastDone = done;
    } else if (now > lastAt) {
      double instant = (done - lastDone) * 1e9 / (now - lastAt);
      rate = rate == 0 ? instant : 0.5 * rate + 0.5 * instant;
      lastAt = now;
      lastDone = done;
    }
    if (mode == Mode.BAR && status.equals(lastStatus) && done != total && now - lastDrawnAt < BAR_REDRAW_NANOS) {
      return; // a terminal needs no more than ten frames a second
    }
    String line = describe(done, total, status);
    switch (mode) {
      case BAR -> {
        lastDrawnAt = now;
        String padded = drawn > line.length() ? line + " ".repeat(drawn - line.length()) : line;
        out.print("\r" + padded);
        out.flush();
        drawn = line.length();
      }
      case PLAIN -> {
        if (!status.equals(lastStatus) || now - lastPrinted >= plainEveryNanos) {
          out.println(Instant.now().toString().substring(0, 19) + "Z " + line);
          out.flush();
          lastPrinted = now;
        }
      }
      case NONE -> { }
    }
    lastStatus = status;
  }

  /** Ends the bar's line (plain lines end by themselves). */
  void finish() {
    if (mode == Mode.BAR && drawn > 0) {
      out.println();
      out.flush();
      drawn = 0;
    }
  }

  String describe(long done, long total, String status) {
    StringBuilder b = new StringBuilder();
    if (mode == Mode.BAR) {
      int filled = total > 0 ? (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / total) : 0;
      b.append('[').append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ");
    }
    if (total > 0) {
      b.append(String.format(Locale.ROOT, "%3d%% ", done * 100 / total));
    }
    b.append(amount(done));
    if (total >= 0) {
      b.append('/').append(amount(total));
    }
    b.append(' ').append(unit.equals("bytes") ? "" : unit + " ").append("| ").append(amount((long) rate)).append("/s");
    if (total > 0 && done < total && rate > 0) {
      b.append(" | ETA ").append(duration((long) Math.ceil((total - done) / rate)));
    }
    return b.append(" | ").append(status).toString();
  }

  private String amount(long n) {
    if (unit.equals("bytes")) {
      return n >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MiB", n / 1048576.0)
          : String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String duration(long seconds) {
    return seconds >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }
}
