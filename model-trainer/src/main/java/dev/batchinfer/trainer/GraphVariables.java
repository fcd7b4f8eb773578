package dev.batchinfer.trainer;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** Creating training variables from {@link NamedWeights} and reading them back after training. */
final class GraphVariables {

  private GraphVariables() {}

  /** Variables initialised from the seeded Java values, so a run is reproducible. */
  static Map<String, Variable<TFloat32>> create(Ops tf, NamedWeights initial) {
    Map<String, Variable<TFloat32>> vars = new LinkedHashMap<>();
    for (NamedWeights.Entry e : initial.entries()) {
      vars.put(e.name(), tf.withName(e.name())
          .variable(tf.constant(e.shape(), DataBuffers.of(e.values(), true, false))));
    }
    return vars;
  }

  static NamedWeights read(Session session, Map<String, Variable<TFloat32>> vars) {
    NamedWeights out = new NamedWeights();
    for (Map.Entry<String, Variable<TFloat32>> e : vars.entrySet()) {
      try (Result r = session.runner().fetch(e.getValue()).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] values = new float[(int) t.shape().size()];
        t.copyTo(DataBuffers.of(values, false, false));
        out.add(e.getKey(), t.shape(), values);
      }
    }
    return out;
  }
}
