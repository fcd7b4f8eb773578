package dev.batchinfer.bench.report;

import java.util.List;
import java.util.Locale;

/**
 * The spike as an SVG: items per second offered (accepted) and finished, and the queue depth, over
 * time, in two panels sharing the time axis. Hand-written SVG, so the report needs no plotting library.
 */
public final class SpikePlot {

  private static final int W = 900;
  private static final int PANEL = 260;
  private static final int LEFT = 80;
  private static final int RIGHT = 30;
  private static final int TOP = 40;
  private static final int GAP = 70;

  private SpikePlot() {}

  /** @param samples rows of [t seconds, accepted items, done items, queued items], one per second */
  public static String svg(List<double[]> samples, double spikeEndSeconds, String title) {
    int n = samples.size();
    double[] t = new double[n];
    double[] accepted = new double[n];
    double[] done = new double[n];
    double[] queued = new double[n];
    for (int i = 0; i < n; i++) {
      double[] s = samples.get(i);
      t[i] = s[0];
      queued[i] = s[3];
      if (i > 0) {
        double dt = Math.max(1e-3, s[0] - samples.get(i - 1)[0]);
        accepted[i] = (s[1] - samples.get(i - 1)[1]) / dt;
        done[i] = (s[2] - samples.get(i - 1)[2]) / dt;
      }
    }
    double tMax = Math.max(1, t[n - 1]);
    StringBuilder svg = new StringBuilder();
    int h = TOP + 2 * PANEL + GAP + 50;
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", W, h));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT, escape(title)));
    double rateMax = niceMax(Math.max(max(accepted), max(done)));
    panel(svg, TOP, "items / s", t, tMax, rateMax, spikeEndSeconds,
        new Series("accepted by the API", accepted, "#d62728"), new Series("finished by workers", done, "#1f77b4"));
    panel(svg, TOP + PANEL + GAP, "queued items", t, tMax, niceMax(max(queued)), spikeEndSeconds,
        new Series("queue depth (accepted, not finished)", queued, "#2ca02c"));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">time since the spike started (s)</text>%n",
        LEFT + (W - LEFT - RIGHT) / 2 - 90, h - 12));
    return svg.append("</svg>\n").toString();
  }

  private record Series(String name, double[] y, String color) {}

  private static void panel(StringBuilder svg, int top, String yLabel, double[] t, double tMax, double yMax,
      double spikeEnd, Series... series) {
    int plotW = W - LEFT - RIGHT;
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
        LEFT, top, plotW, PANEL));
    for (int i = 0; i <= 4; i++) {
      double v = yMax * i / 4;
      double y = top + PANEL - PANEL * i / 4.0;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, y, LEFT + plotW, y, LEFT - 6, y + 4, human(v)));
    }
    for (int i = 0; i <= 6; i++) {
      double v = tMax * i / 6;
      double x = LEFT + plotW * i / 6.0;
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>%n", x,
          top + PANEL + 16, v));
    }
    double xEnd = LEFT + plotW * Math.min(1, spikeEnd / tMax);
    svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\" "
        + "stroke-dasharray=\"4,4\"/><text x=\"%.1f\" y=\"%d\" fill=\"#666\">spike ends</text>%n",
        xEnd, top, xEnd, top + PANEL, xEnd + 4, top + 14));
    svg.append(String.format(Locale.ROOT, "<text transform=\"translate(16,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
        top + PANEL / 2, yLabel));
    int legendY = top - 8;
    int legendX = LEFT + 160;
    for (Series s : series) {
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < t.length; i++) {
        double x = LEFT + plotW * t[i] / tMax;
        double y = top + PANEL - PANEL * Math.min(1, s.y()[i] / yMax);
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
          s.color(), points.toString().trim()));
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"4\" fill=\"%s\"/>"
          + "<text x=\"%d\" y=\"%d\">%s</text>%n", legendX, legendY - 4, s.color(), legendX + 16, legendY, escape(s.name())));
      legendX += 24 + 7 * s.name().length();
    }
  }

  private static double max(double[] v) {
    double m = 0;
    for (double x : v) {
      m = Math.max(m, x);
    }
    return m;
  }

  /** 1, 2 or 5 times a power of ten, at least v. */
  static double niceMax(double v) {
    if (v <= 0) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  static String human(double v) {
    if (v >= 1e6) {
      return String.format(Locale.ROOT, "%.1fM", v / 1e6);
    }
    if (v >= 1e4) {
      return String.format(Locale.ROOT, "%.0fk", v / 1e3);
    }
    if (v >= 1e3) {
      return String.format(Locale.ROOT, "%.1fk", v / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;");
  }
}
