package dev.batchinfer.bench.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs the JMH micro-benchmarks (package dev.batchinfer.bench.jmh) and returns their scores. */
public final class Micro {

  private Micro() {}

  /** @param quick one short iteration in this JVM, for the smoke run; otherwise one fork with real warm-up */
  public static List<Map<String, Object>> run(Path models, String redisUrl, boolean quick) {
    String props = "-Dbench.models=" + models + " -Dbench.redis=" + redisUrl;
    OptionsBuilder o = new OptionsBuilder();
    o.include("dev\\.batchinfer\\.bench\\.jmh\\..*");
    if (quick) {
      System.setProperty("bench.models", models.toString());
      System.setProperty("bench.redis", redisUrl);
      o.forks(0).warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(200));
    } else {
      o.forks(1).jvmArgsAppend("-Xmx512m", "-Dbench.models=" + models, "-Dbench.redis=" + redisUrl)
          .warmupIterations(2).warmupTime(TimeValue.seconds(1))
          .measurementIterations(3).measurementTime(TimeValue.seconds(1));
    }
    Options options = o.shouldFailOnError(true).build();
    try {
      Collection<RunResult> results = new Runner(options).run();
      List<Map<String, Object>> out = new ArrayList<>();
      for (RunResult r : results) {
        Map<String, Object> m = new LinkedHashMap<>();
        String name = r.getParams().getBenchmark();
        m.put("benchmark", name.substring(name.lastIndexOf("jmh.") + 4));
        m.put("score", Math.round(r.getPrimaryResult().getScore() * 100) / 100.0);
        double err = r.getPrimaryResult().getScoreError();
        m.put("error", Double.isNaN(err) ? null : Math.round(err * 100) / 100.0);
        m.put("unit", r.getPrimaryResult().getScoreUnit());
        out.add(m);
      }
      return out;
    } catch (RunnerException e) {
      throw new IllegalStateException("JMH failed: " + e.getMessage() + " (" + props + ")", e);
    }
  }
}
