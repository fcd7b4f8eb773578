package dev.batchinfer.cli;

import dev.batchinfer.client.Capacity;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code batch capacity} as text: one table each for the queues, the throughput, the estimates and the quota. */
final class CapacityTable {

  private CapacityTable() {}

  static String format(Capacity c) {
    StringBuilder b = new StringBuilder();
    b.append("capacity for ").append(c.tenant()).append(" at ").append(time(c.at())).append("\n\n");

    List<String[]> queues = new ArrayList<>();
    queues.add(new String[] {"PRIORITY", "BATCHES", "ITEMS"});
    for (Map.Entry<String, Capacity.Queue> q : c.queues().entrySet()) {
      Capacity.Queue v = q.getValue();
      queues.add(new String[] {q.getKey(), count(v.batches()), (v.itemsExact() ? "" : "~") + count(v.items())});
    }
    table(b, queues, "LRR");

    List<String[]> rates = new ArrayList<>();
    rates.add(new String[] {"MODEL", "VERSION", "ITEMS/S", "SERVED"});
    long window = 0;
    for (Capacity.Throughput t : c.throughput()) {
      rates.add(new String[] {t.model(), t.version(), rate(t.itemsPerSecond()), t.served() ? "yes" : "no"});
      window = Math.max(window, t.windowSeconds());
    }
    b.append('\n');
    table(b, rates, "LLRL");
    if (window > 0) {
      b.append("(measured over the last ").append(window).append(" s)\n");
    }

    List<String[]> waits = new ArrayList<>();
    waits.add(new String[] {"ESTIMATE", "VERSION", "PRIORITY", "ITEMS", "BATCHES AHEAD", "ITEMS AHEAD", "ITEMS/S",
        "WAIT", "COMPLETION"});
    boolean guessed = false;
    for (Capacity.Estimate e : c.estimates()) {
      waits.add(new String[] {e.model(), e.version(), e.priority(), count(e.items()), count(e.batchesAhead()),
          count(e.itemsAhead()), rate(e.itemsPerSecond()) + (e.measured() ? "" : "*"),
          Progress.duration((long) Math.ceil(e.waitSeconds())), time(e.completion())});
      guessed |= !e.measured();
    }
    b.append('\n');
    table(b, waits, "LLLRRRRRL");
    if (guessed) {
      b.append("(* not measured yet: the configured rate)\n");
    }

    Capacity.Quota q = c.quota();
    List<String[]> quota = new ArrayList<>();
    quota.add(new String[] {"QUOTA", "USED", "LIMIT", "LEFT", "RATE/S", "FULL IN"});
    quota.add(new String[] {"queued items", count(q.queuedItems().used()), count(q.queuedItems().limit()),
        count(q.queuedItems().remaining()), "", ""});
    quota.add(bucket("requests", q.requests()));
    quota.add(bucket("items", q.items()));
    b.append('\n');
    table(b, quota, "LRRRRR");
    return b.toString();
  }

  private static String[] bucket(String name, Capacity.Bucket k) {
    return new String[] {name, rate(k.used()), rate(k.burst()), rate(k.available()), rate(k.ratePerSecond()),
        String.format(Locale.ROOT, "%.1f s", k.fullInSeconds())};
  }

  /** Rows in columns two spaces apart, each column as wide as its widest cell; {@code align} an L or R a column. */
  static void table(StringBuilder b, List<String[]> rows, String align) {
    int[] width = new int[align.length()];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        String pad = " ".repeat(width[i] - r[i].length());
        line.append(i == 0 ? "" : "  ").append(align.charAt(i) == 'R' ? pad + r[i] : r[i] + pad);
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** A rate or an amount of a bucket: whole numbers without decimals. */
  private static String rate(double v) {
    return v == Math.rint(v) ? count((long) v) : String.format(Locale.ROOT, "%,.1f", v);
  }

  private static String time(Instant t) {
    return t == null ? "-" : t.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
