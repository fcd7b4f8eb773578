package dev.batchinfer.bench.part;

import dev.batchinfer.bench.run.ApiClient;
import dev.batchinfer.bench.run.Bodies;
import dev.batchinfer.bench.run.Cluster;
import dev.batchinfer.bench.run.Pipeline;
import dev.batchinfer.bench.run.Profiler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipeline runs on the cluster, with the CPU time of every process, and a profile of the API and the
 * worker when asked.
 */
public record Runs(Cluster cluster, ApiClient api, Path work, boolean profileAll) {

  private static final Logger log = LoggerFactory.getLogger(Runs.class);

  /** The same batch {@code n} times, one after the other; the median tells more than one run on a shared machine. */
  public List<Pipeline.Run> repeat(int n, String label, Bodies.Body body, long items, String version) {
    List<Pipeline.Run> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(measure(label, body, items, version));
    }
    return out;
  }

  public Pipeline.Run measure(String label, Bodies.Body body, long items, String version) {
    return measure(label, body, items, version, profileAll ? new LinkedHashMap<>() : null);
  }

  /** @param profileInto receives a profile per process when not null */
  public Pipeline.Run measure(String label, Bodies.Body body, long items, String version,
      Map<String, Object> profileInto) {
    List<Profiler> profilers = profileInto == null ? List.of()
        : List.of(Profiler.start(cluster.api(), work), Profiler.start(cluster.workers().get(0), work));
    Pipeline.Run run = Pipeline.run(api, label, body, items, version, cluster::requireAlive, cluster.cpuMeter());
    for (Profiler p : profilers) {
      profileInto.put(p.name(), p.stop());
    }
    if (profileInto != null && profileAll) {
      log.info("{}: {} items/s, cpu {}, profile {}", label, Math.round(run.itemsPerSecond()), run.cpuSeconds(), profileInto);
    }
    return run;
  }

  /** A run that is not measured (warming a fresh worker, say), failing as soon as a process of the cluster died. */
  public void unmeasured(String label, Bodies.Body body, long items, String version) {
    Pipeline.run(api, label, body, items, version, cluster::requireAlive);
  }
}
