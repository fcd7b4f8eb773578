package dev.batchinfer.api.testing;

import org.assertj.core.api.AbstractAssert;

/** {@code assertThat(api.batch(id)).isCompletedWith(100, 0)}: batch checks that say what went wrong. */
public final class BatchAssertions extends AbstractAssert<BatchAssertions, BatchSnapshot> {

  private BatchAssertions(BatchSnapshot actual) {
    super(actual, BatchAssertions.class);
  }

  public static BatchAssertions assertThat(BatchSnapshot batch) {
    return new BatchAssertions(batch);
  }

  public BatchAssertions hasStatus(String expected) {
    isNotNull();
    if (!actual.status().equals(expected)) {
      failWithMessage("expected batch %s to be %s but it is %s: %s", actual.id(), expected, actual.status(), actual.body());
    }
    return this;
  }

  /**
   * Final, every item counted once: {@code completed} succeeded and {@code failed} failed, out of a
   * total of their sum, with the final status those counts call for.
   */
  public BatchAssertions isCompletedWith(long completed, long failed) {
    hasStatus(completed == 0 && failed > 0 ? "failed" : failed == 0 ? "completed" : "completed_with_errors");
    if (actual.completed() != completed || actual.failed() != failed || actual.total() != completed + failed) {
      failWithMessage("expected batch %s to end with %d completed and %d failed of %d but progress is %s",
          actual.id(), completed, failed, completed + failed, actual.body().path("progress"));
    }
    return this;
  }
}
