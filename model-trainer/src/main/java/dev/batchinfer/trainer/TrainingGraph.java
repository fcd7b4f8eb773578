package dev.batchinfer.trainer;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TUint8;

/** The inputs and loss every trainer's graph shares; the model in between is each trainer's own. */
final class TrainingGraph {

  private TrainingGraph() {}

  /** Raw Fashion-MNIST pixels, uint8 [-1, 784]; the batch dimension is dynamic for the last batch. */
  static Placeholder<TUint8> pixels(Ops tf) {
    return tf.withName("pixels").placeholder(TUint8.class, Placeholder.shape(Shape.of(-1, FashionMnist.FEATURES)));
  }

  /** Class index per item, int32 [-1]. */
  static Placeholder<TInt32> labels(Ops tf) {
    return tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
  }

  /** Batch-mean softmax cross-entropy, named {@code loss}. */
  static Operand<TFloat32> meanCrossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels, int classes) {
    // FACTS: sparse softmax CE has no registered gradient in TF Java; one-hot + dense CE trains.
    Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(classes), tf.constant(1f), tf.constant(0f));
    return tf.withName("loss").math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss(), tf.constant(0));
  }
}
