package dev.batchinfer.bench.part;

import dev.batchinfer.bench.run.BenchModels;
import dev.batchinfer.bench.run.Bodies;
import dev.batchinfer.bench.run.CpuMeter;
import dev.batchinfer.bench.run.Pipeline;
import dev.batchinfer.bench.run.Profiler;
import dev.batchinfer.bench.run.ProgressWatch;
import dev.batchinfer.bench.run.Spike;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * P5: a spike of {@code multiplier} times the CNN drain rate measured in P1, with interactive calls
 * alongside; first a shorter one below saturation.
 */
public final class P5Spike {

  /** The smaller spike's rate, as a multiple of the drain rate. */
  public static final double BELOW_SATURATION = 2;

  /**
   * @param cpuSeconds every process's CPU from the spike's start until it drained
   * @param apiProfile the API's profile during the spike, or null when not asked for (--profile-all)
   * @param drainRate the CNN's rate in P1, which the spike's rate is a multiple of
   */
  public record Result(Spike.Result belowSaturation, Spike.Result spike, Map<String, Double> cpuSeconds,
      Map<String, Map<String, Double>> cpuSecondsByThread, Map<String, Object> apiProfile, double drainRate,
      double multiplier, int seconds) {

    public Map<String, Object> json() {
      Map<String, Object> m = spike.json();
      Map<String, Object> below = belowSaturation.json();
      below.remove("samples");
      m.put("below_saturation", below);
      m.put("cpu_seconds_spike_start_to_drained", cpuSeconds);
      m.put("cpu_seconds_by_thread", cpuSecondsByThread);
      if (apiProfile != null) {
        m.put("api_profile", apiProfile);
      }
      m.put("drain_rate_measured_in_p1", Math.round(drainRate));
      m.put("mean_rate_ratio_to_p1", Figures.ratio(spike.meanDrainRate(), drainRate));
      return m;
    }
  }

  private P5Spike() {}

  /** @param cnn P1's median CNN run: its rate is the drain rate, its batch the one status polls ask about */
  public static Result run(Runs runs, ProgressWatch watch, Pipeline.Run cnn, Sizes size, int seconds, double multiplier) {
    double drain = cnn.itemsPerSecond();
    Spike.Interactive probes = new Spike.Interactive(runs.api(), cnn.batchId(), BenchModels.FASHION, BenchModels.CNN,
        100, 500);
    // First a shorter one at twice the drain rate, which the intake can take beside the workers on
    // 2 cores: what the submit latency is when the cores are not all taken.
    CpuMeter belowCpu = runs.cluster().cpuMeter().begin();
    Spike.Result below = Spike.run(runs.api(), watch, BELOW_SATURATION * drain, size.spikeBatchItems(),
        Math.min(6, seconds), Bodies.rawImages(size.spikeBatchItems(), 16), BenchModels.CNN, probes, belowCpu);
    CpuMeter cpu = runs.cluster().cpuMeter().begin();
    Profiler profiler = runs.profileAll() ? Profiler.start(runs.cluster().api(), runs.cluster().dir()) : null;
    Spike.Result spike = Spike.run(runs.api(), watch, multiplier * drain, size.spikeBatchItems(), seconds,
        Bodies.rawImages(size.spikeBatchItems(), 13), BenchModels.CNN, probes, cpu);
    Map<String, Double> cpuSeconds = cpu.seconds();
    Map<String, Map<String, Double>> byThread = cpu.threadSeconds(6);
    Map<String, Object> apiProfile = profiler != null ? profiler.stop() : null;
    return new Result(below, spike, cpuSeconds, byThread, apiProfile, drain, multiplier, seconds);
  }
}
