package dev.batchinfer.trainer;

import java.util.List;
import java.util.Optional;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Adam whose learning rate is fed every step, so the trainer can decay it (the framework's
 * {@link Adam} bakes the rate into a constant). Same update ({@code ApplyAdam}), same defaults
 * for beta1, beta2 and epsilon; the beta powers advance only after every variable was updated.
 */
final class ScheduledAdam extends Optimizer {

  static final float BETA_ONE = Adam.BETA_ONE_DEFAULT;
  static final float BETA_TWO = Adam.BETA_TWO_DEFAULT;
  static final float EPSILON = Adam.EPSILON_DEFAULT;

  private final Placeholder<TFloat32> learningRate;
  private Variable<TFloat32> betaOnePower;
  private Variable<TFloat32> betaTwoPower;

  ScheduledAdam(Graph graph) {
    super(graph, "ScheduledAdam");
    this.learningRate = tf.withName("learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
  }

  /** Feed this with the step's learning rate. */
  Placeholder<TFloat32> learningRate() {
    return learningRate;
  }

  @Override
  protected void createSlots(List<Output<? extends TType>> variables) {
    for (Output<? extends TType> v : variables) {
      createZeroSlots(v);
    }
    betaOnePower = tf.withName("beta1_power").variable(tf.constant(BETA_ONE));
    betaTwoPower = tf.withName("beta2_power").variable(tf.constant(BETA_TWO));
  }

  private <T extends TType> void createZeroSlots(Output<T> v) {
    createSlot(v, "m", tf.fill(tf.shape(v), tf.dtypes.cast(tf.constant(0f), v.type())));
    createSlot(v, "v", tf.fill(tf.shape(v), tf.dtypes.cast(tf.constant(0f), v.type())));
  }

  @Override
  protected Optional<Op> prepare(String scopeName) {
    return Optional.empty();
  }

  @Override
  protected <T extends TType> Op applyDense(Ops deps, Output<T> gradient, Output<T> variable) {
    Variable<T> m = getSlot(variable, "m").orElseThrow();
    Variable<T> v = getSlot(variable, "v").orElseThrow();
    Class<T> type = variable.type();
    return deps.train.applyAdam(variable, m, v,
        deps.dtypes.cast(betaOnePower, type), deps.dtypes.cast(betaTwoPower, type),
        deps.dtypes.cast(learningRate, type), cast(deps, BETA_ONE, type), cast(deps, BETA_TWO, type),
        cast(deps, EPSILON, type), gradient);
  }

  private static <T extends TType> Operand<T> cast(Ops tf, float value, Class<T> type) {
    return tf.dtypes.cast(tf.constant(value), type);
  }

  @Override
  protected Op finish(List<Op> updateOperations, String name) {
    Ops after = tf.withControlDependencies(List.copyOf(updateOperations));
    updateOperations.add(after.assign(betaOnePower, after.math.mul(betaOnePower, after.constant(BETA_ONE))));
    updateOperations.add(after.assign(betaTwoPower, after.math.mul(betaTwoPower, after.constant(BETA_TWO))));
    return super.finish(updateOperations, name);
  }

  @Override
  public String getOptimizerName() {
    return "ScheduledAdam";
  }

  /**
   * Learning rate for {@code step} of {@code totalSteps}: linear warm-up-free cosine decay from
   * {@code base} to {@code base * floor}. Pure function so it is unit-tested and recorded.
   */
  static float cosine(float base, float floor, long step, long totalSteps) {
    double progress = totalSteps <= 1 ? 1 : Math.min(1.0, (double) step / (totalSteps - 1));
    double factor = floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    return (float) (base * factor);
  }
}
