package dev.batchinfer.bench.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.models.ModelConfig;
import dev.batchinfer.worker.infer.ModelRunner;
import io.javalin.Javalin;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * The alternative the batch path is compared with: the plain REST pattern, one HTTP request per
 * item and one model call each. Javalin on Jetty's thread pool and the same SavedModel, with
 * TensorFlow set up for concurrent single-item calls (an inter-op thread per core). Runs in its own JVM; reads MODEL_ARTIFACTS, MODEL,
 * MODEL_VERSION and PORT.
 */
public final class PerItemServer {

  private PerItemServer() {}

  public static void main(String[] args) {
    ModelConfig config = ModelCatalog.load(Path.of(System.getenv("MODEL_ARTIFACTS")))
        .find(System.getenv("MODEL"), System.getenv("MODEL_VERSION")).orElseThrow();
    // One item per call gains nothing from splitting an op; concurrent requests run side by side.
    ModelRunner runner = new ModelRunner(config, 1, Runtime.getRuntime().availableProcessors());
    ObjectMapper json = new ObjectMapper();
    String[] labels = config.output().labels().toArray(String[]::new);
    Javalin app = Javalin.create(c -> c.showJavalinBanner = false).post("/predict", ctx -> {
      JsonNode item = json.readTree(ctx.bodyInputStream());
      byte[] pixels = Base64.getDecoder().decode(item.get(config.input().name()).asText());
      float[] p = runner.predict(pixels, 1);
      int best = 0;
      for (int i = 1; i < p.length; i++) {
        best = p[i] > p[best] ? i : best;
      }
      ctx.json(Map.of("label", labels[best], "score", p[best]));
    });
    app.start("127.0.0.1", Integer.parseInt(System.getenv("PORT")));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.stop();
      runner.close();
    }));
  }
}
