package dev.batchinfer.bench.part;

import dev.batchinfer.bench.run.Ceiling;
import dev.batchinfer.embedded.proc.CpuSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the cluster ran with: the heaps, the worker's settings tuned from the CNN's ceiling, the API's
 * settings and the spike's shape.
 *
 * @param inferenceCpus the model's CPUs, or null when every process shares every CPU
 * @param otherCpus everything else's CPUs, or null likewise
 */
public record RunSettings(String apiHeap, String workerHeap, Map<String, String> workerSettingsTuned,
    Map<String, String> apiSettings, int chunkMaxItems, int spikeSeconds, double spikeMultiplier, CpuSet inferenceCpus,
    CpuSet otherCpus) {

  /**
   * The worker's settings from the CNN's best point, with {@code workerEnv} on top.
   */
  public static Map<String, String> tuned(Ceiling.Point cnnBest, Map<String, String> workerEnv) {
    Map<String, String> tuned = new LinkedHashMap<>();
    tuned.put("WORKER_INFERENCE_THREADS", Integer.toString(cnnBest.callers()));
    tuned.put("TF_INTRA_OP_THREADS", Integer.toString(cnnBest.intraOpThreads()));
    tuned.put("TF_INTER_OP_THREADS", Integer.toString(cnnBest.interOpThreads()));
    // The batch size is the ceiling's too: past the caches' size a CNN runs slower per image, so a
    // larger batch is not a better one.
    tuned.put("WORKER_MAX_BATCH_SIZE", Integer.toString(cnnBest.batchSize()));
    tuned.put("WORKER_MAX_QUEUE_DELAY", "5ms");
    tuned.putAll(workerEnv);
    return tuned;
  }

  /** The chunk size the API runs with: its CHUNK_MAX_ITEMS setting, or the API's default. */
  public static int chunkMaxItems(Map<String, String> apiSettings) {
    return Integer.parseInt(apiSettings.getOrDefault("CHUNK_MAX_ITEMS",
        Integer.toString(dev.batchinfer.api.ApiSettings.DEFAULT_CHUNK_MAX_ITEMS)));
  }

  public Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("api_max_heap", apiHeap);
    m.put("worker_max_heap", workerHeap);
    m.put("worker_settings_tuned", workerSettingsTuned);
    m.put("api_settings", apiSettings);
    m.put("chunk_max_items", chunkMaxItems);
    m.put("spike_seconds", spikeSeconds);
    m.put("spike_multiplier", spikeMultiplier);
    if (inferenceCpus != null) {
      m.put("inference_cpus", inferenceCpus.toString());
      m.put("other_cpus", otherCpus.toString());
    }
    return m;
  }
}
