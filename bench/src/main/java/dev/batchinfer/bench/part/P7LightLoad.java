package dev.batchinfer.bench.part;

import dev.batchinfer.bench.run.ApiClient;
import dev.batchinfer.bench.run.BenchModels;
import dev.batchinfer.bench.run.Bodies;
import dev.batchinfer.bench.run.Latencies;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** P7: interactive calls at light load, one at a time: status polls, then single-image sync predicts. */
public final class P7LightLoad {

  /** The latencies of the calls answered 200. */
  public record Result(Latencies statusPoll, Latencies syncPredict) {
    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("sync_predict_cnn_one_item", syncPredict.summary());
      m.put("status_poll", statusPoll.summary());
      return m;
    }
  }

  private P7LightLoad() {}

  /** @param batchId the batch whose status is polled */
  public static Result run(ApiClient api, String batchId, Sizes size) {
    Latencies status = new Latencies();
    Latencies sync = new Latencies();
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < size.lightProbes(); i++) {
      long t = System.nanoTime();
      if (api.status(batchId).status() == 200) {
        status.record(System.nanoTime() - t);
      }
    }
    for (int i = 0; i < size.lightProbes() / 2; i++) {
      byte[] body = Bodies.syncImage(random);
      long t = System.nanoTime();
      if (api.syncPredict(BenchModels.FASHION, BenchModels.CNN, body).status() == 200) {
        sync.record(System.nanoTime() - t);
      }
    }
    return new Result(status, sync);
  }
}
