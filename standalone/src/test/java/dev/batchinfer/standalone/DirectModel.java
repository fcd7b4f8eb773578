package dev.batchinfer.standalone;

import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * The committed SavedModel called straight through TensorFlow Java, one image at a time, with none
 * of the system's code: the reference the pipeline's results are checked against.
 */
final class DirectModel {

  private DirectModel() {}

  /** probabilities[item][class] for each image. */
  static float[][] predict(Path dir, byte[][] images) {
    float[][] out = new float[images.length][];
    try (SavedModelBundle bundle = SavedModelBundle.loader(dir.toString()).withTags("serve").load()) {
      var fn = bundle.function("serving_default");
      for (int i = 0; i < images.length; i++) {
        try (TUint8 x = TUint8.tensorOf(Shape.of(1, images[i].length), DataBuffers.of(images[i], true, false));
            Result r = fn.call(Map.of("pixels", x))) {
          TFloat32 p = (TFloat32) r.get("probabilities").orElseThrow();
          float[] row = new float[(int) p.shape().get(1)];
          p.copyTo(DataBuffers.of(row, false, false));
          out[i] = row;
        }
      }
    }
    return out;
  }

  static int argMax(float[] row) {
    int best = 0;
    for (int c = 1; c < row.length; c++) {
      if (row[c] > row[best]) {
        best = c;
      }
    }
    return best;
  }
}
