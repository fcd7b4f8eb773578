package dev.batchinfer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batchinfer.client.Model;
import dev.batchinfer.client.Prediction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code batch models list|show}, and {@code batch predict}. */
@Command(name = "models", description = "The models served, their versions and rollout.",
    subcommands = {ModelCommands.ListModels.class, ModelCommands.Show.class})
final class ModelCommands {

  @ParentCommand
  BatchCli root;

  @Command(name = "list", description = "Every model and its production version.")
  static final class ListModels implements Callable<Integer> {
    @ParentCommand
    ModelCommands models;

    @Override
    public Integer call() throws Exception {
      BatchCli root = models.root;
      List<Model> all = root.client().models().list();
      if (root.json) {
        var arr = BatchCli.JSON.createArrayNode();
        all.forEach(m -> arr.add(m.raw()));
        root.printJson(arr);
      } else {
        all.forEach(m -> root.out.printf("%s  production %s  versions %s%n", m.id(), m.productionVersion(),
            String.join(", ", m.versions())));
      }
      return BatchCli.OK;
    }
  }

  @Command(name = "show", description = "One model: its versions, inputs, outputs, evaluation and rollout history.")
  static final class Show implements Callable<Integer> {
    @ParentCommand
    ModelCommands models;

    @Parameters(index = "0", description = "The model id")
    String id;

    @Override
    public Integer call() throws Exception {
      BatchCli root = models.root;
      Model m = root.client().models().get(id);
      if (root.json) {
        root.printJson(m.raw());
      } else {
        root.out.println(BatchCli.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m.raw()));
      }
      return BatchCli.OK;
    }
  }

  @Command(name = "predict", description = "A few inputs answered at once (sync predict).")
  static final class Predict implements Callable<Integer> {
    @ParentCommand
    BatchCli root;

    @Option(names = "--model", required = true, description = "The model")
    String model;

    @Option(names = "--input", required = true, description = "An input as JSON, e.g. '{\"pixels\": \"<base64>\"}' "
        + "(repeat for several)")
    List<String> inputs;

    @Override
    public Integer call() throws Exception {
      List<JsonNode> parsed = new ArrayList<>();
      for (String i : inputs) {
        try {
          parsed.add(BatchCli.JSON.readTree(i));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalArgumentException("--input is not JSON: " + i);
        }
      }
      Prediction p = root.client().models().predict(model, parsed);
      if (root.json) {
        root.printJson(p.raw());
      } else {
        for (JsonNode r : p.results()) {
          root.out.println(r.has("label") ? r.get("label").asText() + "  " + r.path("score").asText() : r.toString());
        }
      }
      return BatchCli.OK;
    }
  }
}
