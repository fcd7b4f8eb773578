package dev.batchinfer.bench.part;

import dev.batchinfer.bench.run.Backlog;
import dev.batchinfer.bench.run.Bodies;
import dev.batchinfer.bench.run.Pipeline;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * P2: the pipeline's own ceiling, with a model that costs next to nothing: one batch (a latency as much as a
 * rate), then sustained, a backlog of concurrent batches sized to last {@link #SUSTAINED} or more at the one
 * batch's rate; and the one batch again with the API and the worker profiled, for where the time goes.
 */
public final class P2PipelineCeiling {

  /**
   * How long the sustained run would last at the one batch's rate. Concurrent batches go faster than one (15.7 s
   * for what one batch's rate put at 25 s), so this is well over the 20 s it must last at least.
   */
  static final java.time.Duration SUSTAINED = java.time.Duration.ofSeconds(45);
  /** At most this many items (their results take about 164 bytes each in Redis). */
  static final long SUSTAINED_MAX_ITEMS = 16_000_000;

  /** @param profiled the profiled run, or null until it has run */
  public record Result(Pipeline.Run run, Backlog.Drained sustained, Profiled profiled) {

    public Result withProfile(Profiled p) {
      return new Result(run, sustained, p);
    }

    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("run", run.json());
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("items", sustained.items());
      s.put("batches", sustained.batches());
      s.put("seconds", Math.round(sustained.seconds() * 100) / 100.0);
      s.put("items_per_second", Math.round(sustained.itemsPerSecond()));
      m.put("sustained", s);
      if (profiled != null) {
        m.put("profiled_run", profiled.run().json());
        m.put("profile", profiled.profile());
      }
      return m;
    }
  }

  /** @param profile per process, from Java Flight Recorder */
  public record Profiled(Pipeline.Run run, Map<String, Object> profile) {}

  private P2PipelineCeiling() {}

  public static Result run(Runs runs, Sizes size, boolean smoke) {
    Pipeline.Run one = runs.measure("trivial", Bodies.trivialBatch(size.pipelineItems(), 21), size.pipelineItems(), null);
    long items = smoke ? 20_000 : Math.min(SUSTAINED_MAX_ITEMS, Math.round(one.itemsPerSecond() * SUSTAINED.toSeconds()));
    return new Result(one, Backlog.drain(runs.api(), items, Backlog.TRIVIAL), null);
  }

  /**
   * P2's run again with the API and the worker profiled. Separate from P2's run: starting the
   * recorder costs the API and worker enough to move its figure. It is to run after the other
   * measured parts on the same cluster: a recorder's start retransforms the JDK's I/O classes for its
   * events, and the code compiled against them is compiled again, in the middle of whatever part
   * comes next.
   */
  public static Profiled profile(Runs runs, Sizes size) {
    Map<String, Object> profile = new LinkedHashMap<>();
    Pipeline.Run profiled = runs.measure("trivial, profiled", Bodies.trivialBatch(size.pipelineItems(), 22),
        size.pipelineItems(), null, profile);
    return new Profiled(profiled, profile);
  }
}
