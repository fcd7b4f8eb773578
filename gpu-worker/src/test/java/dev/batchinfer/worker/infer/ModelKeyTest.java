package dev.batchinfer.worker.infer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchinfer.topics.message.ChunkHeader;
import dev.batchinfer.topics.message.Priority;
import org.junit.jupiter.api.Test;

class ModelKeyTest {

  @Test
  void a_chunk_is_keyed_by_the_version_it_was_pinned_to_and_shown_as_model_at_version() {
    ChunkHeader h = new ChunkHeader("b", 0, 1, 1, "fashion-mnist", "1.2.0", Priority.NORMAL, 0L);

    ModelKey key = ModelKey.of(h);

    assertThat(key).isEqualTo(new ModelKey("fashion-mnist", "1.2.0"));
    // Clients read this form in "model ... is not served" errors; it must not change.
    assertThat(key).hasToString("fashion-mnist@1.2.0");
  }
}
