package dev.batchinfer.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.batchinfer.bench.part.P5Spike;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes a run's report: report.json, report.md and, when P5 ran, spike.svg. */
public final class ReportFiles {

  private static final Logger log = LoggerFactory.getLogger(ReportFiles.class);

  private ReportFiles() {}

  public static void write(Path out, BenchReport report) throws IOException {
    Files.createDirectories(out);
    if (report.p5() != null) {
      Files.writeString(out.resolve("spike.svg"), spikeSvg(report.p5()));
    }
    Map<String, Object> json = report.json();
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("report.json").toFile(), json);
    Files.writeString(out.resolve("report.md"), Markdown.render(json));
    log.info("report written to {}", out.toAbsolutePath());
  }

  /** Throughput and queue depth second by second. */
  static String spikeSvg(P5Spike.Result p5) {
    List<double[]> rows = new ArrayList<>();
    p5.spike().samples().forEach(s -> rows.add(new double[] {s.t(), s.acceptedItems(), s.doneItems(), s.queuedItems()}));
    double drain = p5.drainRate();
    return SpikePlot.svg(rows, p5.seconds(), String.format(
        "Spike: %,d items/s offered for %d s (%sx the CNN drain rate of %,d items/s)",
        Math.round(p5.multiplier() * drain), p5.seconds(), new DecimalFormat("0.#").format(p5.multiplier()),
        Math.round(drain)));
  }
}
